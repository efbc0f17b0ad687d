"""The ICD-10-CM tabular importer: the real April 2026 release, and small XML snippets."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from claimscribe.reference.importers.icd10cm_tabular import (
    CSV_HEADER,
    Icd10cmCode,
    TabularParseError,
    iter_tabular_codes,
    tabular_version,
    write_tabular_csv,
)

MIRROR = Path(os.environ.get("CLAIMSCRIBE_MIRROR", "/work/shared/data/cms"))
TABULAR = MIRROR / "icd10cm" / "icd10c-tabular-April-1-2026.xml"
IOCE_BILLABLE = MIRROR / "icd10cm" / "icd10cm_billable_codes_2026-04-01_from_ioce.csv"

needs_mirror = pytest.mark.skipif(
    not (TABULAR.is_file() and IOCE_BILLABLE.is_file()), reason="CMS mirror not available"
)


@pytest.fixture(scope="module")
def real_codes() -> dict[str, Icd10cmCode]:
    return {c.code: c for c in iter_tabular_codes(TABULAR)}


@needs_mirror
def test_billable_set_equals_ioce_list(real_codes: dict[str, Icd10cmCode]) -> None:
    with IOCE_BILLABLE.open(encoding="utf-8", newline="") as handle:
        ioce = {row["icd10cm"] for row in csv.DictReader(handle)}
    billable = {c.code_nodot for c in real_codes.values() if c.billable}
    assert len(ioce) == 74_719
    assert billable - ioce == set()
    assert ioce - billable == set()


@needs_mirror
def test_real_examples(real_codes: dict[str, Icd10cmCode]) -> None:
    fracture = real_codes["S52.501A"]
    assert fracture.billable
    assert fracture.code_nodot == "S52501A"
    assert fracture.description == (
        "Unspecified fracture of the lower end of right radius, initial encounter for closed fracture"
    )
    assert (fracture.chapter, fracture.category) == ("19", "S52")
    assert not real_codes["S52.501"].billable
    assert real_codes["M23.211"].billable
    assert real_codes["M23.211"].chapter == "13"
    assert not real_codes["M23.2"].billable
    assert real_codes["T36.0X1A"].billable  # placeholder X before the 7th character
    assert "T36.0X1" in real_codes and not real_codes["T36.0X1"].billable
    # S06: 7th characters D and S do not apply with 6th character 7 or 8 (a note in the XML).
    assert real_codes["S06.1X7A"].billable
    assert "S06.1X7D" not in real_codes and "S06.1X8S" not in real_codes
    assert real_codes["S06.1X6D"].billable


@needs_mirror
def test_real_version() -> None:
    assert tabular_version(TABULAR) == "2026"


@needs_mirror
def test_real_csv(tmp_path: Path, real_codes: dict[str, Icd10cmCode]) -> None:
    out = tmp_path / "icd10cm.csv"
    rows = write_tabular_csv(TABULAR, out)
    assert rows == len(real_codes)
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_HEADER
        billable = sum(row["billable"] == "true" for row in reader)
    assert billable == 74_719


SNIPPET = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2099</version>
  <chapter>
    <name>19</name>
    <desc>Injury (S00-T88)</desc>
    <section id="S00-S09">
      <desc>Injuries to the head (S00-S09)</desc>
      <diag>
        <name>S99</name>
        <desc>Test injury</desc>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension>
        </sevenChrDef>
        <notes>
          <note>7th characters D and S do not apply to codes in category S99 with 6th character 7 - x</note>
        </notes>
        <diag>
          <name>S99.0</name>
          <desc>Short leaf</desc>
        </diag>
        <diag>
          <name>S99.1</name>
          <desc>Override header</desc>
          <sevenChrDef>
            <extension char="1">right</extension>
            <extension char="2">left</extension>
          </sevenChrDef>
          <diag placeholder="true">
            <name>S99.1X</name>
            <desc>Override placeholder</desc>
            <diag>
              <name>S99.1X1</name>
              <desc>Override leaf</desc>
            </diag>
          </diag>
        </diag>
        <diag>
          <name>S99.2X7</name>
          <desc>Dead</desc>
        </diag>
      </diag>
      <diag>
        <name>S98</name>
        <desc>Plain category</desc>
        <diag>
          <name>S98.0</name>
          <desc>Plain leaf</desc>
        </diag>
      </diag>
      <diag>
        <name>T07</name>
        <desc>Unspecified multiple injuries</desc>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
        </sevenChrDef>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""


@pytest.fixture
def snippet_codes(tmp_path: Path) -> dict[str, Icd10cmCode]:
    path = tmp_path / "tabular.xml"
    path.write_text(SNIPPET, encoding="utf-8")
    return {c.code: c for c in iter_tabular_codes(path)}


def test_snippet_billable_set(snippet_codes: dict[str, Icd10cmCode]) -> None:
    billable = sorted(c.code for c in snippet_codes.values() if c.billable)
    assert billable == [
        "S98.0",
        "S99.0XXA",
        "S99.0XXD",
        "S99.1X11",
        "S99.1X12",
        "S99.2X7A",
        "T07.XXXA",
    ]
    assert not any(snippet_codes[c].billable for c in ("S99", "S99.0", "S99.1", "S99.1X", "S99.1X1", "T07"))


def test_snippet_nested_override(snippet_codes: dict[str, Icd10cmCode]) -> None:
    assert "S99.1X1A" not in snippet_codes
    right = snippet_codes["S99.1X11"]
    assert right.description == "Override leaf, right"
    assert (right.code_nodot, right.chapter, right.category) == ("S991X11", "19", "S99")


def test_snippet_placeholder_padding(snippet_codes: dict[str, Icd10cmCode]) -> None:
    assert snippet_codes["S99.0XXD"].description == "Short leaf, subsequent encounter"
    assert snippet_codes["T07.XXXA"].code_nodot == "T07XXXA"
    assert snippet_codes["T07.XXXA"].description == "Unspecified multiple injuries, initial encounter"


def test_snippet_exclusion_note(snippet_codes: dict[str, Icd10cmCode]) -> None:
    assert "S99.2X7D" not in snippet_codes
    assert snippet_codes["S99.2X7A"].billable


def test_snippet_csv_and_version(tmp_path: Path) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text(SNIPPET, encoding="utf-8")
    out = tmp_path / "out" / "codes.csv"
    assert write_tabular_csv(path, out) == 15
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(CSV_HEADER)
    assert lines[1] == "S99,S99,Test injury,false,19,S99"
    assert tabular_version(path) == "2099"


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    bad = SNIPPET.replace("<desc>Plain leaf</desc>", "<desc>Plain leaf</dsc>")
    path = tmp_path / "broken.xml"
    path.write_text(bad, encoding="utf-8")
    line = next(i for i, text in enumerate(bad.splitlines(), start=1) if "</dsc>" in text)
    with pytest.raises(ValueError) as info:
        list(iter_tabular_codes(path))
    message = str(info.value)
    assert str(path) in message
    assert f"line {line}" in message
    assert isinstance(info.value, TabularParseError)
    assert info.value.line == line


def test_malformed_csv_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(SNIPPET[:400], encoding="utf-8")
    out = tmp_path / "codes.csv"
    with pytest.raises(ValueError, match=r"broken\.xml"):
        write_tabular_csv(path, out)
    assert list(tmp_path.iterdir()) == [path]


def test_wrong_root_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "index.xml"
    path.write_text("<ICD10CM.index><version>2026</version></ICD10CM.index>", encoding="utf-8")
    with pytest.raises(ValueError, match="root element"):
        list(iter_tabular_codes(path))
