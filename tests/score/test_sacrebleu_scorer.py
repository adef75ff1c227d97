"""Scores are sacrebleu's own numbers, with their signatures; sentence chrF per link."""

from __future__ import annotations

import sacrebleu

from pipeline.config import SacrebleuSettings
from pipeline.records import AlignedDocument, Link, Sentence, Translation
from pipeline.score.sacrebleu_scorer import SacrebleuScorer


def sentences(lang: str, texts: list[str]) -> tuple[Sentence, ...]:
    return tuple(Sentence("d", lang, i, 0, 0, len(t), t) for i, t in enumerate(texts))


def document() -> AlignedDocument:
    return AlignedDocument(
        id="d",
        sources=sentences("zh", ["甲。", "乙。", "丙。", "丁。"]),
        references=sentences("en", ["The cat sat on the mat.", "It was happy.", "Then it left."]),
        translations=tuple(
            Translation(t) for t in ("The cat sat on a mat.", "It was glad", "and then it went away.", "Extra.")
        ),
        links=(
            Link("d", 0, (0,), (0,), 0.9),
            Link("d", 1, (1, 2), (1, 2), 0.5),  # merged sides are joined with a space
            Link("d", 2, (3,), (), 0.1),  # nothing to score against
        ),
    )


def test_corpus_scores_equal_sacrebleu_on_the_aligned_pairs() -> None:
    result = SacrebleuScorer().score([document()])
    hyps = ["The cat sat on a mat.", "It was glad and then it went away."]
    refs = [["The cat sat on the mat.", "It was happy. Then it left."]]
    scores = {m.name: m for m in result.corpus}
    assert scores["bleu"].score == round(sacrebleu.corpus_bleu(hyps, refs).score, 4)
    assert scores["chrf"].score == round(sacrebleu.corpus_chrf(hyps, refs).score, 4)
    assert scores["bleu"].signature.startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert scores["bleu"].text.startswith("BLEU|nrefs:1")
    assert (result.scored_links, result.skipped_links) == (2, 1)


def test_sentence_chrf_and_bleu_per_link_and_none_for_one_sided_links() -> None:
    result = SacrebleuScorer().score([document()])
    chrf = sacrebleu.sentence_chrf("The cat sat on a mat.", ["The cat sat on the mat."]).score
    bleu = sacrebleu.sentence_bleu("The cat sat on a mat.", ["The cat sat on the mat."]).score
    assert result.link_chrf[("d", 0)] == round(chrf, 2)
    assert result.link_bleu[("d", 0)] == round(bleu, 2)
    assert result.link_chrf[("d", 2)] is None and result.link_bleu[("d", 2)] is None


def test_identical_text_scores_100() -> None:
    doc = document()
    perfect = AlignedDocument(
        doc.id,
        doc.sources,
        doc.references,
        tuple(map(Translation, ("The cat sat on the mat.", "It was happy.", "Then it left.", ""))),
        doc.links[:2],
    )
    scores = {m.name: m.score for m in SacrebleuScorer().score([perfect]).corpus}
    assert scores == {"bleu": 100.0, "chrf": 100.0}


def test_settings_reach_the_signature() -> None:
    result = SacrebleuScorer(SacrebleuSettings(metrics=["bleu"], tokenize="intl", lowercase=True)).score([document()])
    [bleu] = result.corpus
    assert "case:lc" in bleu.signature and "tok:intl" in bleu.signature


def test_nothing_to_score_gives_no_corpus_scores() -> None:
    doc = document()
    lonely = AlignedDocument(doc.id, doc.sources, None, doc.translations, (Link("d", 0, (0,), (), None),))
    result = SacrebleuScorer().score([lonely])
    assert result.corpus == () and result.link_chrf == result.link_bleu == {("d", 0): None}
