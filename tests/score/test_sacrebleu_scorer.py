"""A run's scores are sacrebleu's own numbers on the aligned pairs, with signatures, intervals and
per-document scores; sentence chrF and BLEU per link."""

from __future__ import annotations

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu_public import interval, rounded

from pipeline.config import SacrebleuSettings
from pipeline.records import AlignedDocument, Link, Sentence, Translation
from pipeline.score.sacrebleu_scorer import SacrebleuScorer


def sentences(doc_id: str, lang: str, texts: list[str]) -> tuple[Sentence, ...]:
    return tuple(Sentence(doc_id, lang, i, 0, 0, len(t), t) for i, t in enumerate(texts))


def document(doc_id: str = "d") -> AlignedDocument:
    return AlignedDocument(
        id=doc_id,
        sources=sentences(doc_id, "zh", ["甲。", "乙。", "丙。", "丁。"]),
        references=sentences(doc_id, "en", ["The cat sat on the mat.", "It was happy.", "Then it left."]),
        translations=tuple(
            Translation(t) for t in ("The cat sat on a mat.", "It was glad", "and then it went away.", "Extra.")
        ),
        links=(
            Link(doc_id, 0, (0,), (0,), 0.9),
            Link(doc_id, 1, (1, 2), (1, 2), 0.5),  # merged sides are joined with a space
            Link(doc_id, 2, (3,), (), 0.1),  # nothing to score against
        ),
    )


HYPS = ["The cat sat on a mat.", "It was glad and then it went away."]
REFS = [["The cat sat on the mat.", "It was happy. Then it left."]]


@pytest.mark.parametrize(
    ("name", "metric"),
    [("bleu", BLEU()), ("chrf", CHRF()), ("chrf++", CHRF(word_order=2)), ("ter", TER())],
)
def test_corpus_scores_and_signatures_equal_sacrebleu_on_the_aligned_pairs(name: str, metric: object) -> None:
    settings = SacrebleuSettings(metrics=[name], bootstrap=0)  # type: ignore[list-item]
    result = SacrebleuScorer(settings).score([document()])
    [ours] = result.corpus
    theirs = metric.corpus_score(HYPS, REFS)  # type: ignore[attr-defined]
    signature = str(metric.get_signature())  # type: ignore[attr-defined]
    assert (ours.score, ours.signature, ours.text) == (
        theirs.score,
        signature,
        theirs.format(signature=signature),
    )
    assert ours.ci is None
    assert (result.scored_links, result.skipped_links) == (2, 1)


def test_confidence_intervals_are_sacrebleus_and_the_signature_says_so() -> None:
    result = SacrebleuScorer(SacrebleuSettings(metrics=["bleu", "chrf"])).score([document()])
    for ours, metric in zip(result.corpus, (BLEU(), CHRF()), strict=True):
        theirs = metric.corpus_score(HYPS, REFS, n_bootstrap=1000)
        signature = str(metric.get_signature())
        assert ours.signature == signature and signature.startswith("nrefs:1|bs:1000|seed:12345|")
        assert ours.text == theirs.format(signature=signature)  # "... = 24.70 (μ = 26.90 ± 20.44) ..."
        assert ours.ci is not None
        assert rounded(ours.ci.mean, ours.ci.half_width) == interval(theirs)
        assert ours.ci.low <= ours.ci.mean <= ours.ci.high and ours.ci.resamples == 1000


def test_sentence_chrf_and_bleu_per_link_and_none_for_one_sided_links() -> None:
    result = SacrebleuScorer().score([document()])
    chrf = sacrebleu.sentence_chrf("The cat sat on a mat.", ["The cat sat on the mat."]).score
    bleu = sacrebleu.sentence_bleu("The cat sat on a mat.", ["The cat sat on the mat."]).score
    assert result.link_chrf[("d", 0)] == round(chrf, 2)
    assert result.link_bleu[("d", 0)] == round(bleu, 2)
    assert result.link_chrf[("d", 2)] is None and result.link_bleu[("d", 2)] is None


def test_each_document_is_scored_as_a_corpus_of_its_own() -> None:
    other = document("e")
    other = AlignedDocument(other.id, other.sources, other.references, other.translations, other.links[:1])
    result = SacrebleuScorer(SacrebleuSettings(bootstrap=0)).score([document("d"), other])
    per_doc = {doc: {m.name: m.score for m in scores} for doc, scores in result.documents.items()}
    assert per_doc["d"]["bleu"] == sacrebleu.corpus_bleu(HYPS, REFS).score
    assert per_doc["e"]["chrf"] == sacrebleu.corpus_chrf(HYPS[:1], [REFS[0][:1]]).score
    assert all(m.ci is None and "bs:" not in m.signature for scores in result.documents.values() for m in scores)


def test_identical_text_scores_100_and_ter_0() -> None:
    doc = document()
    perfect = AlignedDocument(
        doc.id,
        doc.sources,
        doc.references,
        tuple(map(Translation, ("The cat sat on the mat.", "It was happy.", "Then it left.", ""))),
        doc.links[:2],
    )
    settings = SacrebleuSettings(metrics=["bleu", "chrf", "chrf++", "ter"])
    scores = {m.name: m.score for m in SacrebleuScorer(settings).score([perfect]).corpus}
    assert scores == pytest.approx(
        {"bleu": 100.0, "chrf": 100.0, "chrf++": 100.0, "ter": 0.0}
    )  # BLEU: 100.00000000000004


def test_settings_reach_the_signature() -> None:
    settings = SacrebleuSettings(metrics=["bleu"], tokenize="intl", lowercase=True, bootstrap=0)
    [bleu] = SacrebleuScorer(settings).score([document()]).corpus
    assert "case:lc" in bleu.signature and "tok:intl" in bleu.signature and "bs:" not in bleu.signature
    assert SacrebleuScorer(settings).signature() == "sacrebleu|metrics:bleu|tok:intl|lowercase:True|bs:0"


def test_nothing_to_score_gives_no_corpus_scores() -> None:
    doc = document()
    lonely = AlignedDocument(doc.id, doc.sources, None, doc.translations, (Link("d", 0, (0,), (), None),))
    result = SacrebleuScorer().score([lonely])
    assert result.corpus == () and result.documents == {}
    assert result.link_chrf == result.link_bleu == {("d", 0): None}
