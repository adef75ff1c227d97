"""MAC-Dev for the alignment benchmarks: chapters, weaker translations, and weight fitting.

MAC-Dev (``../shared/data/mac-dev``, Bertalign's Chinese-English dev set): six chapters with gold
sentence splits, an external machine translation of each Chinese sentence and gold links.

*Conditions* are the translations a user may really have: ``mt`` (the supplied one, a strong
online system), ``p0.3``, ``p0.6`` and ``p1`` (every MT word replaced with that probability by a
random MT word, by ``../shared/tools/degrade_mt.py``: at ``p1`` only the word counts remain), and
``none`` (no translation at all).

:func:`fit` sets the ``dp`` aligner's weights (:class:`pipeline.align.scoring.Weights`) on some
chapters: the shape priors are those chapters' gold link counts, and the other weights are found
by coordinate ascent on the mean strict F1 over the conditions. The product's defaults are this
fit on all six chapters; :func:`leave_one_out` fits on five and tests on the sixth.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.align.commands import read_sentences  # noqa: E402
from pipeline.align.dp import DPAligner  # noqa: E402
from pipeline.align.evaluate import LinkIds, Scores, read_links, score_documents  # noqa: E402
from pipeline.align.scoring import Weights, priors_from_counts  # noqa: E402
from pipeline.config import DPAlignerSettings  # noqa: E402

MAC = ROOT.parent / "shared" / "data" / "mac-dev"
DEGRADE = ROOT.parent / "shared" / "tools" / "degrade_mt.py"
CONDITIONS = ["mt", "p0.3", "p0.6", "p1", "none"]
BRIDGED = ["mt", "p0.3", "p0.6", "p1"]


def require_mac() -> None:
    if not MAC.is_dir():
        sys.exit(f"MAC-Dev not found at {MAC}: this benchmark needs ../shared/data/mac-dev")


@dataclass
class Chapter:
    stem: str
    zh: list[str]
    en: list[str]
    gold: list[LinkIds]
    mt: dict[str, list[str] | None] = field(default_factory=dict)  # condition -> translation

    @property
    def shapes(self) -> Counter[tuple[int, int]]:
        return Counter((len(src), len(ref)) for src, ref in self.gold)


def degraded(p: str, folder: Path) -> Path:
    """MAC-Dev with its MT degraded at probability ``p`` (the shared tool, seeded: always the same files)."""
    target = folder / f"p{p}"
    if not target.is_dir():
        subprocess.run([sys.executable, str(DEGRADE), p, str(MAC), str(target)], check=True)
    return target


def chapters(conditions: Sequence[str] = CONDITIONS) -> list[Chapter]:
    """Every chapter with its translation under each condition."""
    require_mac()
    work = Path(tempfile.mkdtemp(prefix="mac-degraded-"))
    folders = {c: degraded(c[1:], work) for c in conditions if c.startswith("p")}
    out = []
    for gold_file in sorted(MAC.glob("*.gold.align")):
        stem = gold_file.name.split(".")[0]
        chapter = Chapter(
            stem,
            read_sentences(MAC / f"{stem}.zh.sents"),
            read_sentences(MAC / f"{stem}.en.sents"),
            read_links(gold_file),
        )
        for condition in conditions:
            if condition == "none":
                chapter.mt[condition] = None
            else:
                folder = MAC if condition == "mt" else folders[condition]
                chapter.mt[condition] = read_sentences(folder / f"{stem}.mt.sents")
        out.append(chapter)
    return out


class Prepared:
    """Each (chapter, condition)'s prepared document, made once: fitting aligns them many times."""

    def __init__(self, settings: DPAlignerSettings | None = None) -> None:
        self.settings = settings or DPAlignerSettings()
        self._docs: dict[tuple[str, str], object] = {}

    def align(self, chapter: Chapter, condition: str, weights: Weights) -> list[LinkIds]:
        aligner = DPAligner(self.settings, weights)
        key = (chapter.stem, condition)
        mt = chapter.mt[condition]
        if key not in self._docs:
            self._docs[key] = aligner.prepare(chapter.zh, mt, chapter.en)
        beads = aligner.align_prepared(self._docs[key], chapter.zh, mt, chapter.en)  # type: ignore[arg-type]
        return [(b.src, b.ref) for b in beads]


def evaluate(prepared: Prepared, weights: Weights, chapters: Sequence[Chapter], condition: str) -> Scores:
    tests = [prepared.align(c, condition, weights) for c in chapters]
    return score_documents([c.gold for c in chapters], tests)


def objective(prepared: Prepared, weights: Weights, chapters: Sequence[Chapter], conditions: Sequence[str]) -> float:
    return sum(evaluate(prepared, weights, chapters, c).f1_strict for c in conditions) / len(conditions)


#: What :func:`fit` varies, stage by stage: (conditions it is judged on, weights, factors tried).
STAGES: list[tuple[list[str], list[str]]] = [
    (
        ["none"],
        [
            "prior_weight",
            "length_weight",
            "length_variance",
            "zh_weight",
            "en_weight",
            "zh_a",
            "en_a",
            "quote_weight",
            "question_weight",
        ],
    ),
    (BRIDGED, ["mt_weight", "mt_back_weight", "similarity_weight", "full_trust"]),
]
FACTORS = [0.6, 0.8, 1.25, 1.6]
ZERO_STEP = 0.1  # a weight at 0 is tried at this value


def fit(
    prepared: Prepared,
    chapters: Sequence[Chapter],
    start: Weights,
    stages: Iterable[tuple[list[str], list[str]]] = STAGES,
    rounds: int = 2,
    log: Callable[[str], None] = lambda _: None,
) -> Weights:
    """Priors from the chapters' gold counts, then coordinate ascent stage by stage (module docstring)."""
    counts: Counter[tuple[int, int]] = Counter()
    for chapter in chapters:
        counts.update(chapter.shapes)
    weights = dataclasses.replace(start, priors=priors_from_counts(counts))
    for conditions, names in stages:
        best = objective(prepared, weights, chapters, conditions)
        for _ in range(rounds):
            improved = False
            for name in names:
                value = getattr(weights, name)
                for candidate in [value * f for f in FACTORS] if value else [ZERO_STEP]:
                    trial = dataclasses.replace(weights, **{name: candidate})
                    score = objective(prepared, trial, chapters, conditions)
                    if score > best + 1e-4:
                        weights, best, improved = trial, score, True
                        log(f"  {name} = {candidate:.4g}: {score:.4f}")
            if not improved:
                break
    return weights


def leave_one_out(
    prepared: Prepared,
    chapters: Sequence[Chapter],
    start: Weights,
    conditions: Sequence[str],
    log: Callable[[str], None] = lambda _: None,
    stages: Sequence[tuple[list[str], list[str]]] = STAGES,
) -> dict[str, Scores]:
    """Per condition, every chapter aligned with weights fitted on the other five; counts summed."""
    tests: dict[str, list[list[LinkIds]]] = {c: [] for c in conditions}
    for k, held_out in enumerate(chapters):
        rest = [c for i, c in enumerate(chapters) if i != k]
        weights = fit(prepared, rest, start, stages, log=log)
        log(f"chapter {held_out.stem}: fitted on the other five")
        for condition in conditions:
            tests[condition].append(prepared.align(held_out, condition, weights))
    golds = [c.gold for c in chapters]
    return {c: score_documents(golds, tests[c]) for c in conditions}
