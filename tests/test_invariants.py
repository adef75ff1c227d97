"""Invariants over generated documents (hypothesis): nothing lost, nothing duplicated, order kept.

Every source sentence appears exactly once in the aligned output, in order; every reference sentence
at most once, in order; and the Chinese text of the links gives back the document's sentences.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.align.base import align_document
from pipeline.align.dp import DPAligner
from pipeline.align.gale_church import GaleChurchAligner
from pipeline.records import Document, Paragraph, TranslatedDocument, Translation
from pipeline.segment.base import segment_document
from pipeline.segment.en_rules import EnglishRuleSegmenter
from pipeline.segment.zh_rules import ChineseRuleSegmenter

ZH_CHARS = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 500))  # common CJK ideographs
PUNCT = ["。", "！", "？", "……", "，", "”", "“", "；", "：", "、", "", "", "", ""]

#: Words the dictionary, the numbers and the names meet on the English side.
ZH_WORDS = ["专家", "抵达", "首都", "中国", "经验", "一万五千", "1.5万", "2020年", "陈清扬", "COVID-19", "分享"]
zh_sentence = st.builds(
    lambda body, words, end: body + "".join(words) + end,
    st.text(alphabet=ZH_CHARS + "０１２３4567.%《》—", min_size=1, max_size=40),
    st.lists(st.sampled_from(ZH_WORDS), max_size=4),
    st.sampled_from(PUNCT),
)
zh_paragraph = st.lists(zh_sentence, min_size=1, max_size=6).map("".join)
en_sentence = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(
        st.sampled_from(
            [
                "the",
                "experts",
                "arrived",
                "in",
                "capital",
                "and",
                "shared",
                "China's",
                "experience",
                "15,000",
                "fifteen",
                "thousand",
                "2020",
                "Qingyang",
                "Chen",
                "COVID-19",
            ]
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([".", "!", "?", ".\u201d", ""]),
)
en_paragraph = st.lists(en_sentence, min_size=1, max_size=5).map(" ".join)


def document(zh: list[str], en: list[str] | None) -> Document:
    source = tuple(Paragraph(i, p, i + 1) for i, p in enumerate(p.strip() for p in zh) if p)
    reference = None if en is None else tuple(Paragraph(i, p, i + 1) for i, p in enumerate(p.strip() for p in en) if p)
    return Document("doc", source, reference, "gen.zh.txt")


def fake_translation(text: str) -> str:
    """A deterministic stand-in for the model: the length of the source, in English-looking words."""
    return " ".join("word" for _ in range(max(1, len(text) // 3)))


#: The translations a run may give the aligner: English-looking words, none at all (``translate: none``),
#: or some sentences left untranslated.
TRANSLATIONS = {
    "words": fake_translation,
    "none": lambda text: "",
    "some empty": lambda text: fake_translation(text) if len(text) % 2 else "",
}


def check(doc: Document, aligner: object, translation: str = "words") -> None:
    segmented = segment_document(doc, ChineseRuleSegmenter(), EnglishRuleSegmenter())
    translate = TRANSLATIONS[translation]
    translated = TranslatedDocument(
        doc.id,
        segmented.sources,
        segmented.references,
        tuple(Translation(translate(s.text)) for s in segmented.sources),
    )
    aligned = align_document(translated, aligner)  # type: ignore[arg-type]
    src = [i for link in aligned.links for i in link.src]
    ref = [j for link in aligned.links for j in link.ref]
    assert src == list(range(len(segmented.sources))), "every source sentence exactly once, in order"
    assert ref == sorted(set(ref)), "every reference sentence at most once, in order"
    if segmented.references is not None:
        assert ref == list(range(len(segmented.references)))
    assert "".join(aligned.source_text(link) for link in aligned.links) == "".join(s.text for s in segmented.sources)
    assert all(link.score is None or 0.0 <= link.score <= 1.0 for link in aligned.links)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    st.lists(zh_paragraph, min_size=0, max_size=8),
    st.none() | st.lists(en_paragraph, min_size=0, max_size=8),
    st.sampled_from(list(TRANSLATIONS)),
)
def test_dp_aligner_keeps_every_sentence(zh: list[str], en: list[str] | None, translation: str) -> None:
    check(document(zh, en), DPAligner(), translation)


@SETTINGS
@given(st.lists(zh_paragraph, min_size=0, max_size=8), st.lists(en_paragraph, min_size=0, max_size=8))
def test_gale_church_keeps_every_sentence(zh: list[str], en: list[str]) -> None:
    check(document(zh, en), GaleChurchAligner())
