"""Jane Austen's six novels as English training text for ``pipeline models distil-encoder``, one sentence a line.

Debian packages them for R (``r-cran-janeaustenr``: Project Gutenberg's texts, public domain) in an
R lazy-load database. This downloads the package with ``apt-get download`` (no root needed), reads
the six character vectors out of ``data/Rdata.rdb`` (each entry: a 4-byte length, then a zlib
stream of an R serialisation in XDR: a STRSXP of CHARSXPs), joins each book's lines into
paragraphs at blank lines, leaves out headings (all capitals, ``CHAPTER ...``), and splits the
paragraphs with the pipeline's English segmenter.

    python benchmarks/austen.py OUT.en        # about 31,000 sentences, 3.8 MB
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.segment.en_rules import EnglishRuleSegmenter  # noqa: E402

PACKAGE = "r-cran-janeaustenr"
STRSXP = b"\x00\x00\x00\x10"


def download(folder: Path) -> Path:
    """The package's ``Rdata.rdb``, unpacked under ``folder``."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=folder, check=True, capture_output=True)
    deb = next(folder.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "x")], check=True)
    return next((folder / "x").rglob("janeaustenr/data/Rdata.rdb"))


def books(rdb: bytes) -> list[list[str]]:
    """Every character vector stored in the database, in file order."""
    out, position = [], 0
    while position < len(rdb):
        stream = zlib.decompressobj()
        blob = stream.decompress(rdb[position + 4 :])
        position = len(rdb) - len(stream.unused_data)
        start = blob.find(STRSXP)
        (count,), cursor, lines = struct.unpack(">i", blob[start + 4 : start + 8]), start + 8, []
        for _ in range(count):
            _, length = struct.unpack(">ii", blob[cursor : cursor + 8])
            cursor += 8
            lines.append("" if length < 0 else blob[cursor : cursor + length].decode("utf-8", "replace"))
            cursor += max(length, 0)
        out.append(lines)
    return out


def sentences(lines: list[str], segmenter: EnglishRuleSegmenter) -> list[str]:
    out, paragraph = [], []
    for line in [*lines, ""]:
        if line.strip():
            paragraph.append(line.strip())
            continue
        text, paragraph = " ".join(paragraph), []
        if text and not (text.isupper() or text.startswith("CHAPTER")):
            out += [s.strip() for s in segmenter.split(text) if len(s.split()) >= 2]
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        rdb = download(Path(scratch)).read_bytes()
    segmenter = EnglishRuleSegmenter()
    found = list(dict.fromkeys(s for book in books(rdb) for s in sentences(book, segmenter)))
    Path(sys.argv[1]).write_text("\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} sentences written to {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
