"""ICD-10-CM conventions in the codebook: tabular notes, seventh characters, hierarchy, I/OCE limits.

Expected values are read from the files themselves (the tabular XML by a plain regular expression, the
I/OCE diagnosis CSV by the csv module), or quoted from them where named.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
from pathlib import Path

import pytest

from claimscribe.reference.codebook import Codebook
from claimscribe.reference.icd10cm_conventions import age_on, ref_matches
from claimscribe.reference.importers.icd10cm_notes import iter_tabular_notes, note_refs
from claimscribe.reference.importers.icd10cm_tabular import TabularParseError

ON = dt.date(2026, 5, 1)


def _tabular(mirror: Path) -> str:
    return (mirror / "icd10cm" / "icd10c-tabular-April-1-2026.xml").read_text(encoding="utf-8")


def test_every_note_of_each_kind_is_loaded(codebook: Codebook, mirror: Path) -> None:
    text = _tabular(mirror)
    for tag, kind in (
        ("excludes1", "excludes1"),
        ("excludes2", "excludes2"),
        ("codeFirst", "code_first"),
        ("useAdditionalCode", "use_additional_code"),
        ("inclusionTerm", "inclusion_term"),
    ):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.DOTALL)
        expected = sum(len(re.findall(r"<note>", b)) for b in blocks)
        row = codebook._con.execute(
            "SELECT count(*) FROM icd10cm_note WHERE kind = $k", {"k": kind}
        ).fetchone()
        assert row is not None and row[0] == expected, kind


def test_m51_16_and_m54_16_are_excludes1_both_ways(codebook: Codebook) -> None:
    # Tabular April 2026: M51.1 Excludes1 "lumbar radiculitis NOS (M54.16)"; M54.1 Excludes1
    # "radiculopathy with lumbar and other intervertebral disc disorder (M51.1-)".
    pairs = codebook.icd10cm_excludes1(["M51.16", "M54.16"], ON)
    assert [(p.code, p.excluded, p.entry, p.note) for p in pairs] == [
        ("M5116", "M5416", "M51.1", "lumbar radiculitis NOS (M54.16)")
    ]
    reverse = codebook.icd10cm_excludes1(["M54.16", "M51.16"], ON)
    assert reverse[0].entry == "M54.1" and "(M51.1-)" in reverse[0].note


def test_excludes2_is_not_an_excludes1_pair(codebook: Codebook) -> None:
    # Chapter 13 Excludes2 "neoplasms (C00-D49)": a neoplasm and a dorsalgia code may be coded together.
    assert codebook.icd10cm_excludes1(["M54.50", "C61"], ON) == []


def test_section_notes_govern_every_code_of_the_section(codebook: Codebook) -> None:
    # Section M50-M54 Excludes1 "discitis NOS (M46.4-)".
    notes = codebook.icd10cm_notes("M54.16", ON)
    assert ("M50-M54", "excludes1", "discitis NOS (M46.4-)") in [(n.entry, n.kind, n.text) for n in notes]
    levels = [n.level for n in notes]
    assert levels == sorted(levels, key=["chapter", "section", "code"].index)


def test_seventh_characters_of_a_fracture(codebook: Codebook, mirror: Path) -> None:
    text = _tabular(mirror)
    s52 = text[text.index("<name>S52</name>") :]
    block = s52[: s52.index("</sevenChrDef>")]
    expected = re.findall(r'<extension char="(.)">', block)
    assert [s.char for s in codebook.icd10cm_seventh("S52.501", ON)] == sorted(expected)
    assert codebook.icd10cm_seventh("M54.16", ON) == []


def test_hierarchy_from_chapter_to_code(codebook: Codebook) -> None:
    levels = [(h.level, h.code) for h in codebook.icd10cm_hierarchy("M54.16", ON)]
    assert levels[0] == ("chapter", "13")
    assert ("section", "M50-M54") in levels
    assert levels[-3:] == [("code", "M54"), ("code", "M54.1"), ("code", "M54.16")]


def _ioce_rows(mirror: Path, code: str) -> list[dict[str, str]]:
    with gzip.open(mirror / "icd10cm" / "ioce_icd10cm_dx_2019Q3-2026Q2.csv.gz", "rt", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["icd10cm"] == code]


def test_age_limits_by_ioce_quarter(codebook: Codebook, mirror: Path) -> None:
    rows = _ioce_rows(mirror, "O80")
    assert len(rows) == 2
    for row in rows:
        start = dt.datetime.strptime(row["effective_from"], "%Y%m%d").date()
        limits = codebook.icd10cm_limits("O80", start)
        assert limits is not None
        assert (limits.lo_age, limits.hi_age) == (int(row["lo_age"]), int(row["hi_age"]))
        assert limits.effective_from == start


def test_newborn_bound_written_false_is_age_zero(codebook: Codebook, mirror: Path) -> None:
    (row,) = _ioce_rows(mirror, "A33")  # Tetanus neonatorum: hi_age "False" in this copy
    assert row["hi_age"] == "False"
    limits = codebook.icd10cm_limits("A33", ON)
    assert limits is not None and (limits.lo_age, limits.hi_age) == (0, 0)


def test_manifestation_and_unacceptable_principal_flags(codebook: Codebook, mirror: Path) -> None:
    # G63 polyneuropathy in diseases classified elsewhere (manifestation), B95.2 (an infectious agent:
    # unacceptable as principal), M54.16 (neither).
    for code in ("G63", "B952", "M5416"):
        (row,) = [r for r in _ioce_rows(mirror, code) if r["effective_to"] == "20360331"]
        limits = codebook.icd10cm_limits(code, ON)
        assert limits is not None
        assert limits.manifestation == (row["manifestation"] == "1")
        assert limits.unacceptable_pdx == (row["unacceptable_pdx"] == "1")
    assert [codebook.icd10cm_limits(c, ON).manifestation for c in ("G63", "M54.16")] == [True, False]  # type: ignore[union-attr]


def test_note_refs_read_codes_ranges_and_qualified_ranges() -> None:
    assert note_refs("neoplasms (C00-D49)") == [("C00", "D49", None)]
    assert note_refs("x (O03.37, O03.87)") == [("O0337", "O0337", None), ("O0387", "O0387", None)]
    assert note_refs("resistance (Z16.-)") == [("Z16", "Z16", None)]
    assert note_refs("retinopathy (E08-E13 with .52)") == [("E08", "E13", "52")]
    assert note_refs("poisoning (T36-T50 with fifth or sixth character 5)") == []
    assert ref_matches(("E08", "E13", "52"), "E1152") and not ref_matches(("E08", "E13", "52"), "E1151")
    assert ref_matches(("O00", "O9A", None), "O9A211") and not ref_matches(("O00", "O9A", None), "P00")


def test_age_in_whole_years() -> None:
    assert age_on(dt.date(1952, 5, 2), dt.date(2026, 5, 1)) == 73
    assert age_on(dt.date(1952, 5, 1), dt.date(2026, 5, 1)) == 74


def test_broken_xml_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "tabular.xml"
    bad.write_text("<ICD10CM.tabular>\n<chapter><name>1</name>\n<diag><name>A00", encoding="utf-8")
    with pytest.raises(TabularParseError, match=r"tabular.xml: line \d+"):
        iter_tabular_notes(bad)
