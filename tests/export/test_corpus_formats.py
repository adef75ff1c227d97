"""Each corpus format, written and read back with the format's own reader: the same pairs, in order."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, tzinfo
from pathlib import Path

import pytest
from export_builders import NASTY_EN, NASTY_ZH, SAMPLE, aligned_document, link_row, no_scores
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import Selection, rows_from_docs, select_pairs, write_selection

from pipeline.config import ExportSection
from pipeline.errors import ConfigError
from pipeline.export import tmx
from pipeline.export.jsonl import JsonlExporter
from pipeline.export.moses import MosesExporter
from pipeline.export.rows import Decision
from pipeline.export.tmx import TmxExporter

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RECORD_KEYS = [
    "id",
    "doc_id",
    "link_id",
    "origin",
    "zh",
    "en",
    "src_ids",
    "ref_ids",
    "link_type",
    "align_score",
    "chrf",
    "bleu",
    "flags",
    "status",
    "note",
]


def selection(pairs: str = "reference", decisions: dict | None = None) -> Selection:
    docs = [aligned_document("a", SAMPLE)]
    return select_pairs(rows_from_docs(docs, no_scores(docs)), ExportSection(pairs=pairs), decisions)


def expected(sel: Selection) -> list[tuple[str, str, str, str]]:
    return [(p.link.id, p.origin, p.zh, p.en) for p in sel.pairs]


@pytest.mark.parametrize(
    ("pairs", "origins", "count"),
    [("reference", ["reference"], 4), ("mt", ["mt"], 5), ("both", ["reference", "mt"], 9)],
)
def test_pairs_setting_picks_reference_machine_translation_or_both(pairs: str, origins: list, count: int) -> None:
    sel = selection(pairs)
    assert list(sel.counts) == origins and len(sel.pairs) == count
    if "reference" in origins:
        assert "a:3" not in [p.link.id for p in sel.of("reference")], "a link without reference is one-sided"
        assert sel.counts["reference"].one_sided == 1
    if "mt" in origins:
        assert [p.en for p in sel.of("mt")] == [mt for _, mt, _, _ in SAMPLE]


def test_jsonl_round_trip(tmp_path: Path) -> None:
    sel = selection("both", {("a", 0): Decision("accept", note="checked")})
    [path] = write_selection(JsonlExporter(), sel, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["id"], r["origin"], r["zh"], r["en"]) for r in records] == expected(sel)
    assert list(records[0]) == RECORD_KEYS
    assert records[0]["status"] == "accept" and records[0]["note"] == "checked"
    assert records[2]["zh"] == NASTY_ZH and records[2]["en"] == NASTY_EN  # tabs and line breaks kept inside JSON
    assert records[0]["src_ids"] == [0] and records[0]["align_score"] == 0.95


def test_parquet_round_trip_with_pyarrow(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra: pip install '.[parquet]'")
    from pipeline.export.parquet import ParquetExporter

    sel = selection("both")
    [path] = write_selection(ParquetExporter(), sel, tmp_path)
    table = pq.read_table(path)
    assert table.column_names == RECORD_KEYS
    rows = table.to_pylist()
    assert [(r["id"], r["origin"], r["zh"], r["en"]) for r in rows] == expected(sel)
    [one_sided] = [r for r in rows if r["id"] == "a:3"]  # the 1-0 link: only a source-MT pair
    assert one_sided["origin"] == "mt" and one_sided["align_score"] is None and one_sided["ref_ids"] == []
    assert json.loads(table.schema.metadata[b"pipeline.export"])["pairs"] == "both"


def test_an_empty_parquet_corpus_keeps_its_columns(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra: pip install '.[parquet]'")
    from pipeline.export.parquet import ParquetExporter

    sel = select_pairs([], ExportSection())
    [path] = write_selection(ParquetExporter(), sel, tmp_path)
    assert pq.read_table(path).column_names == RECORD_KEYS


def test_parquet_loads_with_datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra: pip install '.[parquet]'")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    datasets = pytest.importorskip("datasets", reason="`datasets` is a dev dependency (pip install -e '.[dev]')")
    from pipeline.export.parquet import ParquetExporter

    sel = selection("reference")
    [path] = write_selection(ParquetExporter(), sel, tmp_path)
    loaded = datasets.load_dataset("parquet", data_files={"train": str(path)}, cache_dir=str(tmp_path / "cache"))
    train = loaded["train"]
    assert train.num_rows == len(sel.pairs)
    assert [(r["id"], r["origin"], r["zh"], r["en"]) for r in train] == expected(sel)


def tmx_units(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    return root.findall("./body/tu")


def test_tmx_round_trip_with_xml_etree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sel = selection("both", {("a", 1): Decision("fix", en_fixed="We walk in the park.", note="better")})
    [path] = write_selection(TmxExporter(), sel, tmp_path)
    header = ET.parse(path).getroot().find("header")
    assert header is not None
    assert header.get("srclang") == "zh" and header.get("creationtool") == "pipeline"
    assert header.get("creationtoolversion") and header.get("segtype") == "sentence"
    assert header.get("creationdate") == "20231114T221320Z"  # SOURCE_DATE_EPOCH, in TMX's format
    units = tmx_units(path)
    back = []
    for tu in units:
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["zh", "en"]
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        segs = [t.findtext("seg") for t in tuvs]
        back.append((f"{props['x-doc-id']}:{props['x-link-id']}", props["x-origin"], segs[0], segs[1]))
    assert back == expected(sel)
    assert [tu.get("tuid") for tu in units][:2] == ["a:0", "a:1"] and units[4].get("tuid") == "a:0:mt"
    assert units[1].findtext("note") == "better" and back[1][3] == "We walk in the park."


class _NoClock(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _NoClock:
        raise AssertionError("corpus.tmx must not depend on the time it is written")


def test_tmx_is_byte_identical_run_after_run_without_a_creation_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 21): every run wrote a new creationdate, though outputs are promised byte-identical."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(tmx, "datetime", _NoClock)
    sel = selection("both")
    [first] = write_selection(TmxExporter(), sel, tmp_path / "one")
    [second] = write_selection(TmxExporter(), sel, tmp_path / "two")
    assert first.read_bytes() == second.read_bytes()
    header = ET.parse(first).getroot().find("header")
    assert header is not None and "creationdate" not in header.attrib


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5"])
def test_a_malformed_source_date_epoch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH=.*expected whole seconds since 1970-01-01 UTC"):
        write_selection(TmxExporter(), selection("both"), tmp_path)


def test_tmx_keeps_carriage_returns_and_drops_what_xml_cannot_hold(tmp_path: Path) -> None:
    docs = [aligned_document("c", [("甲\r乙\x01丙", "x", "one\rtwo\x0bthree <&>", 0.9)])]
    sel = select_pairs(rows_from_docs(docs, no_scores(docs)), ExportSection())
    [path] = write_selection(TmxExporter(), sel, tmp_path)
    [tu] = tmx_units(path)
    assert [t.findtext("seg") for t in tu.findall("tuv")] == ["甲\r乙丙", "one\rtwothree <&>"]


#: The TMX 1.4b structure (element contents and required attributes) as the specification states it,
#: for the elements this exporter writes.
TMX_STRUCTURE = """
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #FIXED "1.4">
<!ELEMENT header (note|prop|ude)*>
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED
  segtype (block|paragraph|sentence|phrase) #REQUIRED o-tmf CDATA #REQUIRED adminlang CDATA #REQUIRED
  srclang CDATA #REQUIRED datatype CDATA #REQUIRED creationdate CDATA #IMPLIED>
<!ELEMENT ude ANY>
<!ELEMENT body (tu*)>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu tuid CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)>
<!ATTLIST tuv xml:lang CDATA #REQUIRED>
<!ELEMENT seg (#PCDATA)>
<!ELEMENT prop (#PCDATA)>
<!ATTLIST prop type CDATA #REQUIRED>
<!ELEMENT note (#PCDATA)>
"""


def test_tmx_follows_the_tmx_14_structure(tmp_path: Path) -> None:
    etree = pytest.importorskip("lxml.etree", reason="lxml (a sacrebleu dependency) checks the structure")
    sel = selection("both", {("a", 0): Decision("accept", note="a note")})
    [path] = write_selection(TmxExporter(), sel, tmp_path)
    dtd = etree.DTD(__import__("io").StringIO(TMX_STRUCTURE))
    document = etree.parse(str(path))
    assert dtd.validate(document), dtd.error_log.filter_from_errors()


def test_moses_files_per_origin_are_line_aligned(tmp_path: Path) -> None:
    sel = selection("both")
    paths = write_selection(MosesExporter(), sel, tmp_path)
    assert [p.name for p in paths] == ["corpus.zh", "corpus.en", "corpus.mt.zh", "corpus.mt.en"]
    zh, en, mt_zh, mt_en = (p.read_text(encoding="utf-8").splitlines() for p in paths)
    assert len(zh) == len(en) == 4 and len(mt_zh) == len(mt_en) == 5
    assert en[2] == " ".join(NASTY_EN.split())  # one pair, one line
    assert mt_en == [mt for _, mt, _, _ in SAMPLE]


def test_parquet_without_pyarrow_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.errors import ConfigError
    from pipeline.export.parquet import ParquetExporter

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what `import pyarrow` meets where it is not installed
    with pytest.raises(ConfigError, match=r"'parquet' needs pyarrow; install it with: pip install '\.\[parquet\]'"):
        ParquetExporter()


# Text as a corpus holds it; XML 1.0 cannot hold most control characters, so TMX is tested without them.
ANY_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(str.strip)
XML_TEXT = st.text(
    st.characters(codec="utf-8", blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r<>&\"'"),
    min_size=1,
    max_size=30,
).filter(str.strip)


def pairs_of(texts: list[tuple[str, str]]) -> Selection:
    rows = [link_row(index=i, zh=zh, en=en) for i, (zh, en) in enumerate(texts)]
    return select_pairs(rows, ExportSection())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=5))
def test_any_text_round_trips_through_jsonl(tmp_path_factory: pytest.TempPathFactory, texts: list) -> None:
    [path] = write_selection(JsonlExporter(), pairs_of(texts), tmp_path_factory.mktemp("jsonl"))
    back = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:-1]]
    assert [(r["zh"], r["en"]) for r in back] == texts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=5))
def test_any_text_round_trips_through_parquet(tmp_path_factory: pytest.TempPathFactory, texts: list) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra: pip install '.[parquet]'")
    from pipeline.export.parquet import ParquetExporter

    [path] = write_selection(ParquetExporter(), pairs_of(texts), tmp_path_factory.mktemp("parquet"))
    assert [(r["zh"], r["en"]) for r in pq.read_table(path).to_pylist()] == texts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(XML_TEXT, XML_TEXT), max_size=5))
def test_any_xml_text_round_trips_through_tmx(tmp_path_factory: pytest.TempPathFactory, texts: list) -> None:
    [path] = write_selection(TmxExporter(), pairs_of(texts), tmp_path_factory.mktemp("tmx"))
    back = [tuple(t.findtext("seg") or "" for t in tu.findall("tuv")) for tu in tmx_units(path)]
    assert back == texts
