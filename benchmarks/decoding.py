"""Reading short Chinese files that are not UTF-8: how often the decoding is right, by text length.

Every MAC-Dev Chinese sentence (``../shared/data/mac-dev/*.zh.sents``) is cut to its first N characters,
encoded in GB18030 and in Big5 (simplified as written; traditional after OpenCC's ``s2t`` when
``opencc`` is installed, ``pip install '.[opencc]'``), and in UTF-16 without a byte order mark (little
and big endian, a line end added as a file has), and decoded two ways: as a run reads a Chinese source
(``pipeline.ingest.decode.decode(..., language="zh")``: the Chinese encodings first, the detector when
none fits) and with charset-normalizer's guess alone (what a run did before). A decoding is right when
it gives back the text. Texts that an encoding cannot hold are left out, and so are texts whose bytes
are also valid UTF-8 (read as UTF-8 first, rightly for a file that is UTF-8); the table counts them
(one or two GB18030 characters often are). The last column is the lowest score
(:func:`pipeline.ingest.charsets.chinese_score`) of a right GB18030 or Big5 decoding, which
:data:`pipeline.ingest.charsets.MIN_CHINESE_SCORE` must stay below.

    python benchmarks/decoding.py [--lengths 1 2 3 5 10 20 0]     # 0: the whole sentence
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import InputError  # noqa: E402
from pipeline.ingest.charsets import CHINESE_ENCODINGS, chinese_score  # noqa: E402
from pipeline.ingest.decode import _detect, decode  # noqa: E402

MAC = ROOT.parent / "shared" / "data" / "mac-dev"
UTF16 = ("utf-16-le", "utf-16-be")
Decoder = Callable[[bytes], str | None]


def sentences() -> list[str]:
    return [line for path in sorted(MAC.glob("*.zh.sents")) for line in path.read_text("utf-8").split("\n") if line]


def scripts() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {"simplified": lambda text: text}
    try:
        import opencc
    except ImportError:
        print("opencc not installed: traditional text skipped (pip install '.[opencc]')", file=sys.stderr)
        return found
    found["traditional"] = opencc.OpenCC("s2t").convert
    return found


def ours(data: bytes) -> str | None:
    try:
        return decode(data, "auto", Path("bench"), clean=False, language="zh").text
    except InputError:
        return None


def detector(data: bytes) -> str | None:
    try:
        return data.decode(_detect(data, Path("bench")))
    except (InputError, UnicodeDecodeError):
        return None


def utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def encoded(texts: list[str], encoding: str) -> Iterator[tuple[str, bytes]]:
    """Each text that ``encoding`` holds, with its bytes."""
    for text in texts:
        try:
            yield text, text.encode(encoding)
        except UnicodeEncodeError:
            continue


def right(decoder: Decoder, pairs: list[tuple[str, bytes]]) -> float:
    return sum(decoder(data) == text for text, data in pairs) / len(pairs)


def lowest_right_score(pairs: list[tuple[str, bytes]], encoding: str) -> float:
    return min(chinese_score(data.decode(encoding)) for _, data in pairs)


def row(script: str, encoding: str, length: int, texts: list[str]) -> str:
    """One table row: ``texts`` encoded with ``encoding``, decoded both ways."""
    if encoding in UTF16:
        texts = [text + "\n" for text in texts]
    every = list(encoded(texts, encoding))
    pairs = [(text, data) for text, data in every if not utf8(data)]
    low = f"{lowest_right_score(pairs, encoding):.2f}" if encoding in CHINESE_ENCODINGS else ""
    return (
        f"| {script} | {encoding} | {length or 'whole'} | {len(pairs)} | {len(every) - len(pairs)} | "
        f"{right(ours, pairs):.3f} | {right(detector, pairs):.3f} | {low} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1, 2, 3, 5, 10, 20, 0])
    args = parser.parse_args()
    if not MAC.is_dir():
        print(f"MAC-Dev not found at {MAC}", file=sys.stderr)
        return 1
    lines = sentences()
    print(
        "| script | encoding | characters | texts | also UTF-8 | right (ours) | right (detector alone) | lowest score |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, convert in scripts().items():
        encodings = [*CHINESE_ENCODINGS, *(UTF16 if name == "simplified" else ())]
        for encoding in encodings:
            for length in args.lengths:
                print(row(name, encoding, length, [convert(line[:length] if length else line) for line in lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
