"""How responsive review.html stays as the number of links grows, in a real headless Chromium.

Writes review pages of synthetic links (realistic lengths: a 40-character Chinese sentence, a
120-character translation and reference) and times, inside the browser, what a reviewer does:
opening the page (navigation start to the load event), filtering by link type and by low confidence,
a search, turning a page, accepting a link with the keyboard, and building the download. Each action
is timed with ``performance.now()`` around the event and a forced layout, median of 7.

    python benchmarks/review_page.py [--links 200 20000]

Needs Debian's chromium and chromium-driver and selenium (as the browser tests do).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "review"))

import review_browser  # noqa: E402

from pipeline.config import ExportSection  # noqa: E402
from pipeline.export.corpus import Selector  # noqa: E402
from pipeline.export.rows import NO_DECISION, LinkRow  # noqa: E402
from pipeline.review.page import ReviewPage, outside_of  # noqa: E402

ZH = "中华人民共和国国务院新闻办公室今天发表白皮书，介绍抗击疫情的中国行动和国际合作。"
EN = "The State Council Information Office published a white paper today on China's actions and international aid."

#: JavaScript run in the page: the action, then a forced layout, timed.
ACTIONS = {
    "filter by link type": "const s = document.getElementById('type'); s.value = s.value ? '' : '2-1';"
    " s.dispatchEvent(new Event('change'));",
    "filter low confidence": "const c = document.getElementById('low'); c.checked = !c.checked;"
    " c.dispatchEvent(new Event('change'));",
    "search": "const q = document.getElementById('search'); q.value = q.value ? '' : 'white paper 7';"
    " q.dispatchEvent(new Event('change'));",
    "next page": "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'n', bubbles: true}));",
    "accept (keyboard)": "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', bubbles: true}));",
    "build download": "URL.createObjectURL = ((make) => (blob) => { window.__size = blob.size; return make(blob); })"
    "(URL.createObjectURL); HTMLAnchorElement.prototype.click = function () {};"
    " document.getElementById('download').click();",
}


def rows(count: int) -> list[LinkRow]:
    out = []
    for i in range(count):
        doc, index = f"doc{i // 1000:03d}", i % 1000
        kind = "2-1" if i % 10 == 0 else "1-1"
        src = f"{index},{index + 1}" if kind == "2-1" else str(index)
        fields = [doc, str(index), src, str(index), f"{ZH}{i}", f"{EN} {i}", f"{EN} {i % 13}", kind]
        fields += [f"{(i * 37 % 100) / 100:.4f}", f"{i * 7 % 100:.2f}", f"{i * 3 % 60:.2f}", ""]
        out.append(LinkRow.from_fields(fields))
    return out


def write_page(path: Path, links: list[LinkRow]) -> Path:
    """The page as a run writes it: each link judged by the corpus filters, then added."""
    selector, page = Selector(ExportSection()), ReviewPage(path, "bench")
    for link in links:
        page.add(link, NO_DECISION, outside_of(selector.judge(link)))
    return page.close()


def measure(driver: object, page: Path) -> dict[str, float]:
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    load = driver.execute_script(  # type: ignore[attr-defined]
        "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;"
    )
    times = {"open page": load}
    for name, action in ACTIONS.items():
        runs = [
            driver.execute_script(  # type: ignore[attr-defined]
                f"const t = performance.now(); {action} document.body.offsetHeight; return performance.now() - t;"
            )
            for _ in range(7)
        ]
        times[name] = statistics.median(runs)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, nargs="+", default=[200, 20_000])
    args = parser.parse_args()
    if review_browser.missing():
        print(f"cannot run: {review_browser.missing()}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results: dict[int, dict[str, float]] = {}
        sizes: dict[int, float] = {}
        for count in args.links:
            links = rows(count)
            started = time.perf_counter()
            page = write_page(folder / f"r{count}.html", links)
            written = time.perf_counter() - started
            sizes[count] = page.stat().st_size / 1e6
            driver = review_browser.start(folder / f"profile{count}", folder)
            try:
                results[count] = {"write page (Python)": written * 1000, **measure(driver, page)}
            finally:
                driver.quit()
    print("| action | " + " | ".join(f"{n:,} links" for n in args.links) + " |")
    print("|---|" + "---|" * len(args.links))
    print("| page size | " + " | ".join(f"{sizes[n]:.1f} MB" for n in args.links) + " |")
    for name in results[args.links[0]]:
        print(f"| {name} | " + " | ".join(f"{results[n][name]:.0f} ms" for n in args.links) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
