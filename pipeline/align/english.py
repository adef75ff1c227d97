"""English words as the aligner's evidence keys: content words stemmed, numbers normalised, names.

A *key* is what two texts must share for a word to count as matched: the stem of a content word
(``studies`` and ``studied`` -> ``studi``; irregular forms first go to their base, ``went`` ->
``go``), a number (``#15000`` for ``15,000``, ``fifteen thousand`` and the Chinese ``1.5万``), or a
name candidate's letters (``py:baoyu`` for ``Bao-yu``), which a Chinese sentence offers through
the pinyin of its characters. Stop words carry no key. The dictionary's glosses
(:mod:`pipeline.align.lexicon`) go through the same functions, so a gloss and a reference word meet
exactly when their keys are equal.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: Function words and the dictionary's own shorthand (``sb``, ``sth``, ``lit``, ``fig``): no evidence.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "onto",
        "upon",
        "about",
        "as",
        "and",
        "or",
        "but",
        "nor",
        "so",
        "yet",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "be",
        "is",
        "am",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "it",
        "its",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "they",
        "them",
        "their",
        "theirs",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "i",
        "me",
        "my",
        "mine",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "all",
        "any",
        "some",
        "each",
        "every",
        "both",
        "either",
        "neither",
        "one's",
        "oneself",
        "sb",
        "sth",
        "sb's",
        "sth's",
        "someone",
        "something",
        "somebody",
        "etc",
        "esp",
        "lit",
        "fig",
        "also",
        "used",
        "see",
        "variant",
        "old",
        "abbr",
        "eg",
        "ie",
        "kind",
        "sort",
        "type",
        "form",
        "way",
        "thing",
        "things",
        "make",
        "makes",
        "made",
        "get",
        "got",
        "become",
        "very",
        "too",
        "just",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "up",
        "out",
        "over",
        "off",
        "down",
        "s",
        "t",
        "ll",
        "d",
        "ve",
        "re",
        "m",
    ]
)

#: Irregular forms and their base forms (a stemmer leaves ``went`` and ``children`` alone).
_IRREGULAR_LISTS = """arise arose arisen|awake awoke awoken|be was were been|bear bore borne born|beat beaten
become became|begin began begun|bend bent|bind bound|bite bit bitten|bleed bled|blow blew blown|break broke
broken|breed bred|bring brought|build built|burn burnt|buy bought|catch caught|choose chose chosen|cling
clung|come came|creep crept|deal dealt|dig dug|do did done|draw drew drawn|dream dreamt|drink drank drunk|drive
drove driven|eat ate eaten|fall fell fallen|feed fed|feel felt|fight fought|find found|flee fled|fling flung|fly
flew flown|forbid forbade forbidden|forget forgot forgotten|forgive forgave forgiven|freeze froze frozen|get got
gotten|give gave given|go went gone|grind ground|grow grew grown|hang hung|have had has|hear heard|hide hid
hidden|hold held|keep kept|kneel knelt|know knew known|lay laid|lead led|lean leant|leap leapt|learn learnt|leave
left|lend lent|lie lain lying|light lit|lose lost|mean meant|meet met|pay paid|ride rode ridden|ring rang
rung|rise rose risen|run ran|say said|see saw seen|seek sought|sell sold|send sent|shake shook shaken|shine
shone|shoot shot|show shown|shrink shrank shrunk|sing sang sung|sink sank sunk|sit sat|slay slew slain|sleep
slept|slide slid|sling slung|smell smelt|speak spoke spoken|speed sped|spend spent|spill spilt|spin spun|spit
spat|spring sprang sprung|stand stood|steal stole stolen|stick stuck|sting stung|stink stank stunk|stride strode
stridden|strike struck|string strung|strive strove striven|swear swore sworn|sweep swept|swell swollen|swim swam
swum|swing swung|take took taken|teach taught|tear tore torn|tell told|think thought|throw threw thrown|tread
trod trodden|understand understood|wake woke woken|wear wore worn|weave wove woven|weep wept|win won|wind
wound|withdraw withdrew withdrawn|write wrote written|die dying|child children|man men|woman women|foot
feet|tooth teeth|mouse mice|goose geese|ox oxen"""
IRREGULAR: dict[str, str] = {
    form: forms.split()[0] for forms in _IRREGULAR_LISTS.replace("\n", " ").split("|") for form in forms.split()[1:]
}

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_SMALL_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
NUMBER_WORDS: dict[str, int] = {word: value for value, word in enumerate(_SMALL_NUMBERS)}
NUMBER_WORDS.update(
    {
        word: 10 * (k + 2)
        for k, word in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
    }
)
SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}

Keys = tuple[str, ...]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The key of a lower-cased content word: its base form if irregular, then its Snowball (Porter2) stem."""
    return _stemmer().stemWord(IRREGULAR.get(word, word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: the Snowball stemmers in C; imported when the aligner first needs it

    return Stemmer.Stemmer("english")


def number_key(value: float) -> str:
    """``#2020``, ``#1500000``, ``#0.5``: one spelling for every way of writing a number."""
    if float(value).is_integer():
        return f"#{int(value)}"
    return f"#{round(value, 6)!r}"


def word_number(token: str) -> float | None:
    """The value of ``15,000``, ``2.5`` or ``twelve``; None for any other word."""
    if token[0].isdigit():
        try:
            return float(token.replace(",", ""))
        except ValueError:
            return None
    return NUMBER_WORDS.get(token.lower())


@lru_cache(maxsize=100_000)
def word_keys(token: str) -> Keys:
    """The keys of one word (no numbers): none for a stop word; its stem, and a name key if capitalised.

    ``Bao-yu`` -> ``("bao-yu", "bao", "yu", "py:baoyu")``: the parts of a hyphenated word count too,
    and a capitalised word may be a transliterated name, matched against the pinyin of Chinese.
    """
    low = token.lower().replace("’", "'")
    if low in STOP_WORDS:
        return ()
    keys = [stem(low.replace("'", ""))]
    if "-" in low:
        keys.extend(stem(part) for part in low.split("-") if part and part not in STOP_WORDS)
    if token[0].isupper():
        keys.append("py:" + re.sub(r"[^a-z]", "", low))
    return tuple(dict.fromkeys(keys))


def token_keys(text: str) -> list[Keys]:
    """The keys of every content word and number of an English text, in order."""
    tokens = _WORD.findall(text)
    out: list[Keys] = []
    k = 0
    while k < len(tokens):
        value = word_number(tokens[k])
        if value is None:
            keys = word_keys(tokens[k])
            if keys:
                out.append(keys)
            k += 1
            continue
        scale = SCALE_WORDS.get(tokens[k + 1].lower()) if k + 1 < len(tokens) else None
        out.append((number_key(value * scale if scale else value),))
        k += 2 if scale else 1
    return out
