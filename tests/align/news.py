"""A news item of eight sentences: Chinese, a literal machine translation, and a freer reference."""

ZH = [
    "今天早上，北京下了一场大雪。",
    "许多学校因此推迟了开学时间。",
    "市政府派出三千名工人清扫街道。",
    "地铁和公交车基本保持正常运行。",
    "气象台预计明天气温将降到零下十度。",
    "专家提醒老人和儿童尽量减少外出。",
    "一些市民在公园里堆雪人、拍照片。",
    "这是今年冬天北京的第一场雪。",
]
MT = [
    "This morning, heavy snow fell in Beijing.",
    "Many schools therefore postponed the start of classes.",
    "The city government sent three thousand workers to clean the streets.",
    "Subways and buses basically kept running normally.",
    "The weather station expects the temperature to drop to minus ten degrees tomorrow.",
    "Experts reminded the elderly and children to minimise going out.",
    "Some citizens built snowmen and took photos in the park.",
    "This is the first snow in Beijing this winter.",
]
REF = [
    "Heavy snow fell on Beijing this morning.",
    "Many schools postponed the start of classes as a result.",
    "The city government dispatched three thousand workers to clear the streets.",
    "Subway and bus services largely ran as normal.",
    "Forecasters expect temperatures to fall to minus ten degrees tomorrow.",
    "Experts advised the elderly and children to stay at home as much as possible.",
    "Some residents built snowmen and took photos in the parks.",
    "It was the first snow of the winter in Beijing.",
]
