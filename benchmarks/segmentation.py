"""Sentence segmentation: boundary precision/recall/F1 against gold splits, and throughput.

For each gold file (one sentence a line; a blank line ends a paragraph), the sentences of a
paragraph are joined (no separator for Chinese, one space for English), segmented, and the
boundaries compared as offsets in non-space characters (``pipeline.segment.evaluate``).

Data sets: MAC-Dev (``../shared/data/mac-dev/*.zh.sents`` and ``*.en.sents``, six novel chapters,
each file one paragraph) and the seed article (``tests/segment/fixtures/seed.*.sents``, hand-checked,
paragraph breaks kept and not scored). Splitters: ours (the registered backends), a one-line regex
for reference, pySBD and ``sentence-splitter`` (Moses non-breaking prefixes) when installed
(``pip install -e '.[segment-libs]'``).

Throughput is UTF-8 megabytes of each data set's text per second on one core (the best of several
passes, so the figure is the least disturbed by other processes on the machine). MAC-Dev gives a
splitter one long paragraph per chapter; the seed, 24 newspaper paragraphs, shows the cost per call.

    python benchmarks/segmentation.py [--markdown] [--errors SPLITTER]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import ChineseRules  # noqa: E402
from pipeline.errors import StageError  # noqa: E402
from pipeline.segment.base import Span, trimmed_spans  # noqa: E402
from pipeline.segment.en_rules import EnglishRuleSegmenter  # noqa: E402
from pipeline.segment.evaluate import (  # noqa: E402
    BoundaryCounts,
    gold_boundaries,
    joined_paragraphs,
    read_gold,
    score_paragraphs,
    span_boundaries,
)
from pipeline.segment.zh_rules import ChineseRuleSegmenter  # noqa: E402

MAC = ROOT.parent / "shared" / "data" / "mac-dev"
FIXTURES = ROOT / "tests" / "segment" / "fixtures"
SpanFunction = Callable[[str], Sequence[Span]]


@dataclass(frozen=True)
class Splitter:
    name: str
    lang: str
    spans: SpanFunction
    note: str = ""


def regex_splitter(pattern: str) -> SpanFunction:
    """The one-line baseline: cut after every match of ``pattern``."""
    compiled = re.compile(pattern)
    return lambda text: trimmed_spans(text, [m.end() for m in compiled.finditer(text)])


def spans_from_pieces(text: str, pieces: Sequence[str]) -> list[Span]:
    """Spans of ``pieces`` (sentences a library returned as strings) in ``text``.

    Pieces are matched on their non-space characters, in order, so a library may drop or add
    white space; one that changes any other character raises ``StageError``.
    """
    spans: list[Span] = []
    position = 0
    for piece in pieces:
        visible = [ch for ch in piece if not ch.isspace()]
        if not visible:
            continue
        start = end = -1
        for ch in visible:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text) or text[position] != ch:
                found = text[position : position + 20]
                raise StageError(f"segmenter changed the text: expected {ch!r} at offset {position}, found {found!r}")
            if start < 0:
                start = position
            position += 1
            end = position
        spans.append((start, end))
    while position < len(text) and text[position].isspace():
        position += 1
    if position < len(text):
        raise StageError(f"segmenter dropped text from offset {position}: {text[position : position + 20]!r}")
    return spans


def library_splitter(split: Callable[[str], list[str]]) -> SpanFunction:
    return lambda text: spans_from_pieces(text, split(text))


def splitters() -> list[Splitter]:
    out = [
        Splitter("zh-rules", "zh", ChineseRuleSegmenter().spans, "ours, default"),
        Splitter("zh-rules +；", "zh", ChineseRuleSegmenter(ChineseRules(split_at_semicolon=True)).spans, "ours"),
        Splitter("zh-rules tags:asked", "zh", ChineseRuleSegmenter(ChineseRules(speech_tags="asked")).spans, "ours"),
        Splitter("zh-rules tags:split", "zh", ChineseRuleSegmenter(ChineseRules(speech_tags="split")).spans, "ours"),
        Splitter("regex", "zh", regex_splitter(r"[。！？]+[”’」』）]*"), "one line: [。！？]+ closers*"),
        Splitter("en-rules", "en", EnglishRuleSegmenter().spans, "ours, default"),
    ]
    try:
        import pysbd
    except ImportError:
        print("pySBD not installed: skipped (pip install pysbd)", file=sys.stderr)
    else:
        for lang in ("zh", "en"):
            segmenter = pysbd.Segmenter(language=lang, clean=False)
            out.append(Splitter("pySBD", lang, library_splitter(segmenter.segment), f"pysbd {pysbd.__version__}"))
    try:
        from sentence_splitter import SentenceSplitter
    except ImportError:
        print("sentence-splitter not installed: skipped (pip install sentence-splitter)", file=sys.stderr)
    else:
        moses = SentenceSplitter(language="en")
        note = f"sentence-splitter {metadata.version('sentence-splitter')}, Moses non-breaking prefixes"
        out.append(Splitter("sentence-splitter", "en", library_splitter(moses.split), note))
    regex = regex_splitter(r"[.!?]+[\"')\]”’]*(?=\s+[\"'“‘(\[A-Z0-9])")
    out.append(Splitter("regex", "en", regex, "one line: [.!?]+ closers* before space + capital"))
    return out


def data_sets() -> dict[str, dict[str, list[list[str]]]]:
    """Data set -> language -> paragraphs of gold sentences."""
    sets: dict[str, dict[str, list[list[str]]]] = {}
    if MAC.is_dir():
        sets["MAC-Dev"] = {
            lang: [p for path in sorted(MAC.glob(f"*.{lang}.sents")) for p in read_gold(path)] for lang in ("zh", "en")
        }
    else:
        print(f"MAC-Dev not found at {MAC}: skipped", file=sys.stderr)
    sets["seed"] = {lang: read_gold(FIXTURES / f"seed.{lang}.sents") for lang in ("zh", "en")}
    return sets


def throughput(spans: SpanFunction, texts: list[str], budget_s: float = 2.0, passes: int = 5) -> float:
    """MB/s of UTF-8 text: the fastest of up to ``passes`` passes within about ``budget_s`` seconds."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    spent = 0.0
    for _ in range(passes):
        started = time.perf_counter()
        for text in texts:
            spans(text)
        elapsed = time.perf_counter() - started
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_s:
            break
    return size / best / 1e6


def show_errors(splitter: Splitter, paragraphs: list[list[str]], limit: int = 200) -> None:
    """Print the boundaries a splitter missed or added, with some context."""
    from pipeline.segment.evaluate import JOINERS

    shown = 0
    for sentences in paragraphs:
        text = JOINERS[splitter.lang].join(sentences)
        visible = [i for i, ch in enumerate(text) if not ch.isspace()]
        gold, found = gold_boundaries(sentences), span_boundaries(text, splitter.spans(text))
        for kind, offsets in (("missed", gold - found), ("extra", found - gold)):
            for offset in sorted(offsets):
                at = visible[offset]
                print(f"  {kind:6} {text[max(0, at - 30) : at]!r} | {text[at : at + 20]!r}")
                shown += 1
                if shown >= limit:
                    return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--errors", metavar="SPLITTER", help="list the boundary errors of one splitter (e.g. zh-rules)")
    args = parser.parse_args()

    sets = data_sets()
    rows: list[tuple[str, ...]] = []
    for splitter in splitters():
        for set_name, by_lang in sets.items():
            paragraphs = by_lang[splitter.lang]
            counts: BoundaryCounts = score_paragraphs(paragraphs, splitter.lang, splitter.spans)
            speed = throughput(splitter.spans, joined_paragraphs(paragraphs, splitter.lang))
            rows.append(
                (
                    splitter.lang,
                    splitter.name,
                    set_name,
                    f"{counts.precision:.4f}",
                    f"{counts.recall:.4f}",
                    f"{counts.f1:.4f}",
                    f"{counts.hits + counts.missed}",
                    f"{speed:.1f}",
                    splitter.note,
                )
            )
            if args.errors == splitter.name:
                print(f"{splitter.name} on {set_name} ({splitter.lang}):")
                show_errors(splitter, paragraphs)
    rows.sort(key=lambda row: row[0] != "zh")  # Chinese first; otherwise in the order above
    header = ("lang", "splitter", "data", "P", "R", "F1", "gold boundaries", "MB/s", "notes")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
