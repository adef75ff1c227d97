"""The run configuration: one pydantic model per stage section, validated in one place.

Unknown keys are errors, and every problem is reported at once with its path and, where a name
is chosen from a list, the valid names (``translate -> batch_size: must be > 0``). Each stage
section picks its backend with ``name:``; a backend's settings are a model of their own, so keys
that only make sense for one backend are refused for another. ``docs/config.md`` lists every key
(``pipeline config --schema`` makes it from these models).

Relative paths in a config are resolved against the current working directory, as ``--set``
values are; run the pipeline from the project root.

Sections by module: :mod:`.inputs` (run, ingest, segment), :mod:`.translation`, :mod:`.alignment`,
:mod:`.outputs` (score, export, executor); :mod:`.loading` holds the whole config and its validation.
"""

from __future__ import annotations

from pipeline.config.alignment import (
    AlignSection,
    DPAlignerSettings,
    GaleChurchSettings,
    LinkType,
)
from pipeline.config.base import (
    Section,
    tag_of,
)
from pipeline.config.inputs import (
    ChineseLines,
    ChineseRules,
    EnglishLines,
    EnglishRules,
    IngestSection,
    JsonlIngest,
    RunSection,
    SegmentSection,
    TextIngest,
)
from pipeline.config.loading import (
    Config,
    apply_overrides,
    load,
    parse_override,
    read_yaml,
    tagged_models,
    validate,
)
from pipeline.config.outputs import (
    DEFAULT_METRICS,
    ExecutorSection,
    ExportFilters,
    ExportFormat,
    ExportSection,
    LocalExecutorSettings,
    MetricName,
    RaySettings,
    SacrebleuSettings,
    ScoreSection,
)
from pipeline.config.translation import (
    CTranslate2Settings,
    EngineSettings,
    LongSentences,
    MarianSettings,
    ModelSettings,
    NoTranslation,
    PrecomputedSettings,
    RepetitionGuard,
    TranslateSection,
)

__all__ = [
    "DEFAULT_METRICS",
    "AlignSection",
    "CTranslate2Settings",
    "ChineseLines",
    "ChineseRules",
    "Config",
    "DPAlignerSettings",
    "EngineSettings",
    "EnglishLines",
    "EnglishRules",
    "ExecutorSection",
    "ExportFilters",
    "ExportFormat",
    "ExportSection",
    "GaleChurchSettings",
    "IngestSection",
    "JsonlIngest",
    "LinkType",
    "LocalExecutorSettings",
    "LongSentences",
    "MarianSettings",
    "MetricName",
    "ModelSettings",
    "NoTranslation",
    "PrecomputedSettings",
    "RaySettings",
    "RepetitionGuard",
    "RunSection",
    "SacrebleuSettings",
    "ScoreSection",
    "Section",
    "SegmentSection",
    "TextIngest",
    "TranslateSection",
    "apply_overrides",
    "load",
    "parse_override",
    "read_yaml",
    "tag_of",
    "tagged_models",
    "validate",
]
