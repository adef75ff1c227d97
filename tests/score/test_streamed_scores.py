"""A run is scored shard by shard and summed document by document: the numbers are sacrebleu's on all
segments at once, whatever the shards, intervals included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu_public import interval, rounded

from pipeline.config import SacrebleuSettings
from pipeline.records import AlignedDocument, DocumentScores, Link, Sentence, Translation
from pipeline.score.base import document_links
from pipeline.score.metrics import add_rows
from pipeline.score.sacrebleu_scorer import SacrebleuScorer

PAIRS = [
    ("The cat sat on a mat.", "The cat sat on the mat."),
    ("It was glad", "It was happy."),
    ("and then it went away.", "Then it left."),
    ("Prices rose by 3.5% in May.", "Prices rose 3.5 percent in May."),
    ("He said: no.", '"No," he said.'),
    ("", "An empty translation scores zero."),
    ("Many people attended the meeting in Shanghai.", "The meeting in Shanghai was well attended."),
]


def documents() -> list[AlignedDocument]:
    """Seven documents of one scored link each, and one link without reference in every other."""
    docs = []
    for d, (hyp, ref) in enumerate(PAIRS):
        doc_id = f"d{d}"
        zh = (Sentence(doc_id, "zh", 0, 0, 0, 2, "甲。"), Sentence(doc_id, "zh", 1, 0, 2, 4, "乙。"))
        links = [Link(doc_id, 0, (0,), (0,), 0.9)]
        if d % 2:
            links.append(Link(doc_id, 1, (1,), (), 0.1))
        docs.append(
            AlignedDocument(
                id=doc_id,
                sources=zh,
                references=(Sentence(doc_id, "en", 0, 0, 0, len(ref), ref),),
                translations=(Translation(hyp), Translation("extra")),
                links=tuple(links),
            )
        )
    return docs


def scored_in_shards(scorer: SacrebleuScorer, docs: list[AlignedDocument], size: int) -> Iterator[DocumentScores]:
    for start in range(0, len(docs), size):
        yield from scorer.score_documents([document_links(d) for d in docs[start : start + size]])


@pytest.mark.parametrize("shard_size", [1, 3, len(PAIRS)])
def test_corpus_scores_summed_over_shards_are_sacrebleus_on_all_segments(shard_size: int) -> None:
    scorer = SacrebleuScorer(SacrebleuSettings(metrics=["bleu", "chrf", "chrf++", "ter"], bootstrap=200))
    result = scorer.aggregate(scored_in_shards(scorer, documents(), shard_size))
    hyps, refs = [h for h, _ in PAIRS], [[r for _, r in PAIRS]]
    for ours, metric in zip(result.corpus, (BLEU(), CHRF(), CHRF(word_order=2), TER()), strict=True):
        theirs = metric.corpus_score(hyps, refs, n_bootstrap=200)
        assert ours.text == theirs.format(signature=str(metric.get_signature()))
        assert ours.score == theirs.score and rounded(ours.ci.mean, ours.ci.half_width) == interval(theirs)
    assert (result.scored_links, result.skipped_links) == (7, 3)


def test_sentence_and_document_scores_do_not_depend_on_the_shards() -> None:
    scorer = SacrebleuScorer(SacrebleuSettings(metrics=["chrf", "ter"], bootstrap=0))
    one = list(scored_in_shards(scorer, documents(), 1))
    all_at_once = list(scored_in_shards(scorer, documents(), len(PAIRS)))
    assert one == all_at_once
    assert one[1].chrf[1] is None and one[1].bleu[1] is None  # the link without reference
    chrf = CHRF()
    theirs = chrf.corpus_score([PAIRS[0][0]], [[PAIRS[0][1]]])
    assert one[0].scores[0].text == theirs.format(signature=str(chrf.get_signature()))


def test_scores_in_memory_equal_scores_summed_from_shards() -> None:
    scorer = SacrebleuScorer(SacrebleuSettings(bootstrap=100))
    whole = scorer.score(documents())
    streamed = scorer.aggregate(scored_in_shards(scorer, documents(), 2))
    assert whole.corpus == streamed.corpus
    assert whole.link_chrf[("d1", 1)] is None and whole.link_chrf[("d1", 0)] is not None


def test_a_run_without_references_has_no_corpus_scores() -> None:
    lonely = AlignedDocument("x", (Sentence("x", "zh", 0, 0, 0, 2, "甲。"),), None, (Translation("A."),),
                             (Link("x", 0, (0,), (), None),))  # fmt: skip
    scorer = SacrebleuScorer()
    result = scorer.aggregate(scorer.score_documents([document_links(lonely)]))
    assert (result.corpus, result.scored_links, result.skipped_links) == ((), 0, 1)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[1, 2]], [1, 2]),
        ([[1, 2], [3, 4], [5, 6]], [9, 12]),
        ([[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]], [0.1 + 0.2 + 0.3, 6.0]),  # float sums in segment order
    ],
)
def test_statistics_are_added_as_sacrebleu_adds_them(rows: list, expected: list) -> None:
    from sacrebleu.utils import sum_of_lists

    assert add_rows(None, rows) == expected == sum_of_lists(rows)
    assert add_rows(add_rows(None, rows[:1]), rows[1:]) == expected, "in parts, as shard after shard"
