"""The public 837 files other parsers test with (read in place from ../shared/data/interop/x12): every
file gives claims or one-line errors naming the claim and segment, every CLM segment is accounted for,
and none ends in an exception. Expected values are read off the files' own segments."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import decode, read_claims, read_claims_text

PUBLIC = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "interop" / "x12"
FILES = sorted(PUBLIC.glob("*")) if PUBLIC.is_dir() else []
# "claim 3, segment 40 (SV1): ...", or an error outside any claim: "segment 6 (NM1): ...", or "file: ..."
ONE_LINE = re.compile(r"^(claim \d+, segment \d+ \([A-Z0-9?]+\)|segment \d+( \([A-Z0-9?]*\))?|file): \S.*$")

pytestmark = pytest.mark.skipif(not FILES, reason="public X12 files not present")


def _clm_count(text: str) -> int:
    """CLM segments in the raw text, counted independently of the reader: a CLM id right after a
    segment terminator (and any whitespace a clearinghouse added)."""
    terminator = text.lstrip("\ufeff \r\n\t")[105]
    return len(re.findall(rf"(?:^|{re.escape(terminator)})\s*CLM[^A-Z0-9]", text))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_public_file_gives_claims_or_one_line_errors(path: Path) -> None:
    items = list(read_claims(path, "x12"))
    assert items
    for item in items:
        if isinstance(item, ClaimError):
            assert ONE_LINE.match(str(item)), str(item)
    claim_items = [i for i in items if isinstance(i, Claim) or i.position.startswith("claim ")]
    text = decode(path.read_bytes())
    if text.lstrip("\ufeff \r\n\t").startswith("ISA") and len(text) > 106:
        assert len(claim_items) == _clm_count(text) or not claim_items


def test_4010_files_are_told_to_send_5010() -> None:
    for name in ("pyx12__x12testdata__simple_837p.txt", "oop__TestData__InstitutionalClaim4010.txt"):
        items = list(read_claims(PUBLIC / name, "x12"))
        assert items and all("4010 was retired in 2012" in str(i) for i in items), name


def test_a_bare_005010x222_gs08_is_read_as_professional() -> None:
    # GS08 and ST03 say "005010X222" (no errata suffix); the only refusal is the ICD-9 diagnosis
    (error,) = read_claims(PUBLIC / "oop___837P___5010__Example1_HealthInsurance.txt", "x12")
    assert str(error).startswith("claim 1, segment 31 (HI): HI01 is an ICD-9-CM code")


def test_the_guide_example_1_reads_segment_for_segment_once_its_diagnoses_are_icd10() -> None:
    """The 837P guide's Example 1 (indented, a 2000C patient, an RD8 range) with its two ICD-9 codes
    swapped for ICD-10-CM ones in memory: every other value as the file's segments give it."""
    text = (PUBLIC / "oop___837P___5010__Example1_HealthInsurance.txt").read_text(encoding="utf-8-sig")
    assert "HI*BK:0340*BF:V7389~" in text
    (claim,) = read_claims_text(text.replace("HI*BK:0340*BF:V7389~", "HI*ABK:J020*ABF:Z1159~"), "x12")
    assert isinstance(claim, Claim), claim
    assert (claim.claim_id, claim.place_of_service, claim.diagnoses) == (
        "26463774",
        "11",
        ["J02.0", "Z11.59"],
    )
    assert claim.billing_provider == "9876543210"  # NM1*85 ... XX*9876543210
    # the patient is the 2000C dependent (DMG*D8*19730501*M), who has no member id of their own
    assert (claim.patient_id, claim.patient_sex, claim.patient_birth_date) == (None, "M", dt.date(1973, 5, 1))
    assert claim.date_of_service == dt.date(2006, 10, 3)
    got = [
        (
            line.code,
            line.charge,
            line.units,
            line.diagnosis_pointers,
            claim.line_date(line),
            line.date_of_service_end,
        )
        for line in claim.lines
    ]
    assert got == [
        ("99213", Decimal("40"), 1, [1], dt.date(2006, 10, 3), None),
        ("87070", Decimal("15"), 1, [1], dt.date(2006, 10, 3), None),
        ("99214", Decimal("35"), 1, [2], dt.date(2006, 10, 10), None),
        ("86663", Decimal("10"), 1, [2], dt.date(2006, 10, 10), dt.date(2006, 10, 25)),
    ]


def test_an_837i_with_a_bare_x223_st03_is_read_as_institutional() -> None:
    """oop 837I spec 3.1.2 (GS08 005010X222 but ST03 005010X223: the ST names the guide) with its ICD-9
    codes swapped for ICD-10-CM and the CLM06 the 837I does not use dropped: two outpatient claims, each
    value as the file's segments give it."""
    text = (PUBLIC / "oop___837I___5010__Spec_3.1.2_TwoClaimsForTheSameProvider.txt").read_text(
        encoding="utf-8-sig"
    )
    swaps = {
        "*Y*C*Y*Y~": "**C*Y*Y~",
        "HI*BK:3669~": "HI*ABK:R079~",
        "HI*BF:4019*BF:79431~": "HI*ABF:I10*ABF:R9431~",
        "HI*BK:30000~": "HI*ABK:F410~",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    first, second = read_claims_text(text, "x12")
    assert isinstance(first, Claim) and isinstance(second, Claim), (first, second)
    assert (first.claim_id, first.claim_type, first.type_of_bill) == ("756048Q", "institutional", "0131")
    assert (first.date_of_service, first.diagnoses) == (dt.date(2005, 3, 15), ["R07.9", "I10", "R94.31"])
    assert (first.billing_provider, first.rendering_provider) == (
        "1234567890",
        "1122334455",
    )  # NM1*85, NM1*71
    assert (first.patient_id, first.patient_sex, first.patient_birth_date) == (
        "030005074",
        "M",
        dt.date(1968, 11, 11),
    )
    assert [(line.revenue_code, line.code, line.charge, line.units) for line in first.lines] == [
        ("0305", "85025", Decimal("13.39"), 1),
        ("0730", "93010", Decimal("76.56"), 3),
    ]
    assert (second.claim_id, second.date_of_service, second.patient_id) == (
        "756049Q",
        dt.date(2005, 4, 1),
        "123405074",
    )
    assert [(line.revenue_code, line.code, line.charge) for line in second.lines] == [
        ("0300", "85087", Decimal("50"))
    ]
