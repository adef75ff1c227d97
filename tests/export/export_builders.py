"""Builders for export tests: links and documents made by hand, run folders written without a model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import oracle

from pipeline import config as config_module
from pipeline.export.rows import LinkRow
from pipeline.io import atomic_write_json
from pipeline.manifest import file_record
from pipeline.records import AlignedDocument, Link, ScoreResult, Sentence, Translation
from pipeline.registry import EXPORTERS

#: A text with everything that has broken a format before: quotes, tabs, line breaks, markup.
NASTY_EN = 'He said "no"\tthen <b>left</b> & came\nback \\ again.'
NASTY_ZH = "他说“不”\t然后<script>window.pwned = 1</script>离开 & 回来\n又来 \\ 了。"


def link_row(
    doc: str = "d",
    index: int = 0,
    zh: str = "今天天气很好。",
    mt: str = "The weather is good today.",
    en: str = "The weather is fine today.",
    score: str = "0.9000",
    link_type: str = "1-1",
    flags: str = "",
) -> LinkRow:
    """A link as aligned.tsv holds it; ids follow from the link type."""
    n, m = (int(k) for k in link_type.split("-"))
    src = ",".join(str(index + k) for k in range(n))
    ref = ",".join(str(index + k) for k in range(m))
    return LinkRow.from_fields([doc, str(index), src, ref, zh, mt, en, link_type, score, "50.00", "20.00", flags])


def aligned_document(doc_id: str, pairs: Sequence[tuple[str, str, str, float | None]]) -> AlignedDocument:
    """One 1-1 link per (zh, mt, en, score); an empty ``en`` makes a 1-0 link."""
    zh = [p[0] for p in pairs]
    en = [p[2] for p in pairs if p[2]]
    links, ref = [], 0
    for i, (_, _, text, score) in enumerate(pairs):
        links.append(Link(doc_id, i, (i,), (ref,) if text else (), score))
        ref += 1 if text else 0
    return AlignedDocument(
        id=doc_id,
        sources=tuple(Sentence(doc_id, "zh", i, i, 0, len(t), t) for i, t in enumerate(zh)),
        references=tuple(Sentence(doc_id, "en", i, i, 0, len(t), t) for i, t in enumerate(en)),
        translations=tuple(Translation(p[1]) for p in pairs),
        links=tuple(links),
    )


def no_scores(docs: Sequence[AlignedDocument]) -> ScoreResult:
    keys = [(d.id, link.index) for d in docs for link in d.links]
    return ScoreResult((), dict.fromkeys(keys, 40.0), dict.fromkeys(keys, 10.0), len(keys), 0)


SAMPLE = [
    ("今天天气很好。", "The weather is good today.", "The weather is fine today.", 0.95),
    ("我们去公园散步。", "We go to the park for a walk.", "We take a walk in the park.", 0.40),
    (NASTY_ZH, "He said no and left.", NASTY_EN, 0.80),
    ("没有参考译文。", "No reference translation.", "", None),
    ("会议在北京召开。", "The meeting was held in Beijing.", "The meeting took place in Beijing.", 0.15),
]


def write_run(folder: Path, docs: Sequence[AlignedDocument], export: dict[str, Any] | None = None) -> Path:
    """A run folder as `pipeline run` leaves it (exports, manifest), written without a model."""
    cfg = config_module.validate({"ingest": {"sources": ["x.zh.txt"]}, "export": export or {}})
    scores = no_scores(docs)
    exporters = [EXPORTERS.load(name)(cfg.export) for name in cfg.export.formats]
    files = [p for exporter in exporters for p in oracle.export(exporter, docs, scores, folder)]
    manifest = {"config": cfg.model_dump(mode="json"), "outputs": [file_record(p) for p in files]}
    atomic_write_json(folder / "manifest.json", manifest)
    return folder
