"""The dp aligner: every link shape, insertions and deletions, degenerate documents, stable output."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipeline.align.base import Bead, align_document
from pipeline.align.dp import BeadScorer, DocumentSignals, DPAligner
from pipeline.config import DPAlignerSettings
from pipeline.errors import InputError
from pipeline.records import Sentence, TranslatedDocument, Translation

# A news item of eight sentences: Chinese, a literal machine translation, and a freer reference.
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

Link = tuple[tuple[int, ...], tuple[int, ...]]


def links(beads: list[Bead]) -> list[Link]:
    return [(b.src, b.ref) for b in beads]


def assert_covers(beads: list[Bead], n: int, m: int) -> None:
    assert [i for b in beads for i in b.src] == list(range(n)), "every source sentence once, in order"
    assert [j for b in beads for j in b.ref] == list(range(m)), "every reference sentence once, in order"


def edited(replace: dict[int, list[str]]) -> list[str]:
    """REF with sentence k replaced by a list of sentences (empty list: deleted)."""
    out: list[str] = []
    for k, sentence in enumerate(REF):
        out.extend(replace.get(k, [sentence]))
    return out


CASES = {
    "1-1": (REF, ((2,), (2,))),
    "1-2": (
        edited({2: ["The city government dispatched three thousand workers.", "They cleared the streets."]}),
        ((2,), (2, 3)),
    ),
    "2-1": (
        edited(
            {3: [REF[3][:-1] + ", and forecasters expect temperatures to fall to minus ten degrees tomorrow."], 4: []}
        ),
        ((3, 4), (3,)),
    ),
    "1-3": (
        edited({5: ["Experts gave advice.", "The elderly should stay at home.", "So should children, if possible."]}),
        ((5,), (5, 6, 7)),
    ),
    "3-1": (
        edited(
            {
                1: [
                    "Many schools postponed classes, the city government dispatched three thousand workers to clear "
                    "the streets, and subway and bus services largely ran as normal."
                ],
                2: [],
                3: [],
            }
        ),
        ((1, 2, 3), (1,)),
    ),
    "2-2": (
        edited(
            {
                5: [
                    "Experts advised the elderly and children to stay at home as much as possible, "
                    "but some residents built snowmen in the parks."
                ],
                6: ["Others took photos."],
            }
        ),
        ((5, 6), (5, 6)),
    ),
    "1-0": (edited({4: []}), ((4,), ())),
    "0-1": (
        edited({3: [REF[3], "Meanwhile, the stock market closed slightly higher on Monday afternoon."]}),
        ((), (4,)),
    ),
}


@pytest.mark.parametrize(("refs", "expected"), list(CASES.values()), ids=list(CASES))
def test_each_link_shape_is_found(refs: list[str], expected: Link) -> None:
    beads = DPAligner().align(ZH, MT, refs)
    assert expected in links(beads)
    assert_covers(beads, len(ZH), len(refs))


def test_the_rest_of_the_document_stays_one_to_one_around_a_split() -> None:
    refs = CASES["1-2"][0]
    assert links(DPAligner().align(ZH, MT, refs)) == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), (2, 3)),
        *[((i,), (i + 1,)) for i in range(3, 8)],
    ]


def test_an_inserted_and_a_deleted_sentence_in_one_document() -> None:
    extra = "Meanwhile, the stock market closed slightly higher on Monday afternoon."
    refs = [*REF[:2], extra, *REF[2:5], *REF[6:]]  # inserted at 2, REF[5] deleted
    found = links(DPAligner().align(ZH, MT, refs))
    assert ((), (2,)) in found
    assert ((5,), ()) in found
    assert ((6,), (6,)) in found


@pytest.mark.parametrize(("n", "m"), [(0, 0), (0, 3), (3, 0)])
def test_empty_documents(n: int, m: int) -> None:
    beads = DPAligner().align(ZH[:n], MT[:n], REF[:m])
    assert_covers(beads, n, m)


@pytest.mark.parametrize(
    ("n", "m", "expected"),
    [(1, 1, [((0,), (0,))]), (1, 2, [((0,), (0,)), ((), (1,))]), (2, 1, [((0,), (0,)), ((1,), ())])],
)
def test_one_sentence_documents(n: int, m: int, expected: list[Link]) -> None:
    assert links(DPAligner().align(ZH[:n], MT[:n], REF[:m])) == expected


def test_repeated_runs_give_identical_output() -> None:
    refs = CASES["1-3"][0]
    first = DPAligner().align(ZH, MT, refs)
    again = DPAligner()
    assert again.align(ZH, MT, refs) == first
    assert again.align(ZH, MT, refs) == first


def test_confidences_are_probabilities_and_separate_good_links_from_bad() -> None:
    beads = DPAligner().align(ZH, MT, REF)
    assert all(0.0 <= b.score <= 1.0 for b in beads)
    assert min(b.score for b in beads) > 0.8
    # Sentence 4 translated as something unrelated: its link is the least certain one.
    wrong = [*MT[:4], "The orchestra played a new symphony last night.", *MT[5:]]
    scored = DPAligner().align(ZH, wrong, REF)
    assert min(scored, key=lambda b: b.score).src == (4,)


def test_random_documents_are_always_covered_exactly_once() -> None:
    rng = random.Random(7)
    aligner = DPAligner()
    for _ in range(20):
        n, m = rng.randint(0, 30), rng.randint(0, 30)
        sources = ["字" * rng.randint(1, 60) for _ in range(n)]
        translations = [" ".join(rng.choice(MT).split()[: rng.randint(0, 9)]) for _ in range(n)]
        refs = [" ".join(rng.choice(REF).split()[: rng.randint(1, 9)]) for _ in range(m)]
        assert_covers(aligner.align(sources, translations, refs), n, m)


def test_one_huge_source_sentence_against_many_references_is_covered() -> None:
    sources = ["短。", "长" * 3000, "短。"]
    refs = ["Short."] + ["A long stretch of text."] * 120 + ["Short."]
    assert_covers(DPAligner().align(sources, ["Short.", "Long " * 600, "Short."], refs), 3, 122)


def test_only_one_to_one_allowed_still_covers_unequal_documents() -> None:
    beads = DPAligner(DPAlignerSettings(link_types=["1-1"])).align(ZH, MT, REF[:5])
    assert_covers(beads, 8, 5)
    assert {(len(b.src), len(b.ref)) for b in beads} <= {(1, 1), (1, 0)}


def test_translations_must_be_parallel_to_sources() -> None:
    with pytest.raises(InputError, match="8 source sentences but 7 translations"):
        DPAligner().align(ZH, MT[:7], REF)


def test_a_short_quoted_reply_joins_the_sentence_that_closes_the_quotation() -> None:
    zh = ["他大声说：“我们走吧！”", "大家都站了起来。"]
    mt = ['He said loudly: "Let\'s go!"', "Everyone stood up."]
    refs = ["He raised his voice.", "'Time to leave!'", "The whole company rose to their feet."]
    assert links(DPAligner().align(zh, mt, refs)) == [((0,), (0, 1)), ((1,), (2,))]


def test_quotation_structure_penalises_a_bead_that_ends_inside_a_quotation() -> None:
    zh = ["他说：“走吧。”", "他们走了。"]
    mt = ['He said, "Let\'s go."', "They left."]
    refs = ["He said: 'Let us go.'", "They left."]
    signals = DocumentSignals.from_texts(zh, mt, refs, None, [(1, 1)])
    scorer = BeadScorer(signals, DPAlignerSettings())
    # bead zh 0 -> en 0: both open and close a quotation; zh 1 -> en 0: only English does, twice over
    ends = np.array([1, 2]), np.array([1, 1])
    assert scorer.structure((1, 1), *ends).tolist() == pytest.approx([0.0, -0.1 - 0.05])


def _document(refs: list[str], src_paragraphs: list[int], ref_paragraphs: list[int]) -> TranslatedDocument:
    sources = tuple(
        Sentence("d", "zh", i, p, 0, len(t), t) for i, (t, p) in enumerate(zip(ZH, src_paragraphs, strict=True))
    )
    references = tuple(
        Sentence("d", "en", i, p, 0, len(t), t) for i, (t, p) in enumerate(zip(refs, ref_paragraphs, strict=True))
    )
    return TranslatedDocument("d", sources, references, tuple(Translation(t) for t in MT))


def test_shared_paragraph_boundaries_keep_a_link_from_crossing_them() -> None:
    # A reference sentence with no translation clue at a paragraph start: without paragraphs it
    # is merged to the left, with paragraphs it opens the second paragraph's link.
    refs = [*REF[:4], "Here is more.", *REF[4:]]
    paragraphs_zh = [0, 0, 0, 0, 1, 1, 1, 1]
    paragraphs_en = [0, 0, 0, 0, 1, 1, 1, 1, 1]
    settings = DPAlignerSettings(paragraph_weight=0.5)
    aligned = align_document(_document(refs, paragraphs_zh, paragraphs_en), DPAligner(settings))
    found = [(link.src, link.ref) for link in aligned.links]
    assert all(not (set(src) & {3} and set(ref) & {4}) for src, ref in found), found


def test_paragraphs_anchor_only_a_paragraph_for_paragraph_translation() -> None:
    # Two source paragraphs against three reference paragraphs: boundaries cannot correspond.
    aligner = DPAligner(DPAlignerSettings(paragraph_weight=0.5))
    aligner.align(ZH, MT, REF, paragraphs=([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 2, 2, 2]))
    assert aligner.stats.with_paragraphs == 0
    aligner.align(ZH, MT, REF, paragraphs=([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1, 1]))
    assert aligner.stats.with_paragraphs == 1
    with pytest.raises(InputError, match="paragraph ids: got 8 and 2"):
        aligner.align(ZH, MT, REF, paragraphs=([0] * 8, [0, 1]))


def test_signature_and_report_say_which_signals_were_used() -> None:
    aligner = DPAligner()
    aligner.align(ZH, MT, REF)
    assert aligner.signature().startswith("dp|v2|types:1-1,")
    assert aligner.signature().endswith("|bridge:mt-only")
    described = aligner.describe()
    assert described["signals_used"] == ["mt-similarity", "length", "evidence", "quotes"]
    assert described["counts"]["documents"] == 1
