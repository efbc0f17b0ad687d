"""Our own X12 corpus (tests/claims/data/x12): the shapes clearinghouses send, each value asserted as the
file's segments give it, and the malformed ones as one-line errors that cost only their claim."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from pyx12 import params, x12n_document

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims, read_claims_text
from claimscribe.claims.x12_837p import Envelope, claims_to_837i, claims_to_837p, claims_to_x12

DATA = Path(__file__).parent / "data" / "x12"
PROFESSIONAL = DATA / "837p_x222a2_indented_crlf.837"
INSTITUTIONAL = DATA / "837i_x223a3_outpatient.837"
ENVELOPE = Envelope(created=dt.datetime(2026, 3, 12, 10, 15))


def _read(path: Path) -> list[Claim | ClaimError]:
    return list(read_claims(path))


def _claims(path: Path) -> list[Claim]:
    items = _read(path)
    return [item for item in items if isinstance(item, Claim)]


def test_x222a2_indented_crlf_file_reads_every_claim() -> None:
    first, second, third = _read(PROFESSIONAL)
    assert isinstance(first, Claim) and isinstance(second, Claim) and isinstance(third, Claim)
    assert (first.claim_id, first.place_of_service, first.diagnoses) == (
        "ACCT10001",
        "22",
        ["M17.11", "M25.561"],
    )
    assert (first.billing_provider, first.rendering_provider) == ("1831234566", "1497758544")
    # 2010BA: the subscriber is the patient (SBR02 18): NM109 member id, DMG*D8*19480101*F
    assert (first.patient_id, first.patient_sex, first.patient_birth_date) == (
        "1EG4TE5MK73",
        "F",
        dt.date(1948, 1, 1),
    )


def test_anesthesia_minutes_sv103_mj_are_one_service_of_that_many_minutes() -> None:
    first = _claims(PROFESSIONAL)[0]
    anesthesia, block = first.lines
    # SV1*HC:01402:AA*1200*MJ*95: unit basis MJ (minutes), 95 of them
    assert (anesthesia.code, anesthesia.modifiers, anesthesia.units, anesthesia.minutes) == (
        "01402",
        ["AA"],
        1,
        95,
    )
    assert (block.code, block.units, block.minutes) == ("64447", 1, None)


def test_replacement_names_the_claim_it_replaces_and_a_void_too() -> None:
    _, replacement, void = _claims(PROFESSIONAL)
    # CLM05-3 7 with REF*F8*2226003123456; CLM05-3 8 with REF*F8*2226003123999
    assert (replacement.frequency_code, replacement.original_claim_ref) == ("7", "2226003123456")
    assert replacement.is_replacement and not replacement.is_void
    assert (void.frequency_code, void.original_claim_ref, void.is_void) == ("8", "2226003123999", True)


def test_ndc_and_date_range_belong_to_their_lines() -> None:
    _, replacement, _ = _claims(PROFESSIONAL)
    knee, drug, therapy = replacement.lines
    # LIN**N4*00003029305 and CTP****1*ML follow the J3301 line (SV1*HC:J3301*32.4*UN*4)
    assert (drug.code, drug.units, drug.ndc, drug.ndc_quantity, drug.ndc_unit) == (
        "J3301",
        4,
        "00003029305",
        Decimal("1"),
        "ML",
    )
    assert knee.ndc is None and therapy.ndc is None
    # DTP*472*RD8*20260303-20260305 on the 97110 line
    assert (replacement.line_date(therapy), therapy.date_of_service_end) == (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 5),
    )


def test_utf16_and_lf_only_copies_read_the_same(tmp_path: Path) -> None:
    text = PROFESSIONAL.read_text()
    expected = _claims(PROFESSIONAL)
    utf16 = tmp_path / "utf16.837"
    utf16.write_bytes(text.encode("utf-16-le"))  # no BOM, as some Windows tools write it
    one_line = tmp_path / "one_line.837"
    one_line.write_text("".join(line.strip() for line in text.splitlines()))
    assert _claims(utf16) == expected
    assert _claims(one_line) == expected


def test_837i_claims_read_with_type_of_bill_revenue_codes_and_ub04_codes() -> None:
    first, second, inpatient, void = _read(INSTITUTIONAL)
    assert isinstance(first, Claim) and isinstance(second, Claim) and isinstance(void, Claim)
    # CLM05 13:A:1 -> type of bill 0131; HI ABK/ABF, BH occurrence, BE value, BG condition codes
    assert (first.claim_type, first.type_of_bill, first.frequency_code) == ("institutional", "0131", "1")
    assert first.diagnoses == ["M54.16", "M17.11"]
    assert [(o.code, o.date) for o in first.occurrence_codes] == [("11", dt.date(2026, 3, 1))]
    assert [(v.code, v.amount) for v in first.value_codes] == [("48", Decimal("11.5"))]
    assert first.condition_codes == ["39"]
    assert first.rendering_provider == "1497758544"  # 2310A attending NM1*71
    assert [
        (line.revenue_code, line.code, line.modifiers, line.units, line.charge) for line in first.lines
    ] == [
        ("0361", "64483", ["RT"], 1, Decimal("2400")),
        ("0510", "20610", ["LT", "XS"], 1, Decimal("600")),
        ("0320", "73562", ["RT"], 1, Decimal("250")),
        ("0636", "J3301", [], 4, Decimal("40")),
    ]
    assert first.lines[3].ndc == "00003029305"
    # SV2*0250**35: a revenue-code-only line (no SV202), kept but not a coded line
    assert [(r.revenue_code, r.charge) for r in first.revenue_lines] == [("0250", Decimal("35"))]
    assert isinstance(inpatient, ClaimError)
    assert str(inpatient).startswith("claim 3, segment 69 (CLM): type of bill 0111 is an inpatient stay")
    assert (void.type_of_bill, void.frequency_code, void.original_claim_ref) == (
        "0138",
        "8",
        "22260510000123",
    )


def test_837i_golden_claims_through_the_hospital_edits_and_opps(codebook) -> None:  # type: ignore[no-untyped-def]
    """Expected values from the mirror: I/OCE 2026-01-01 64483 SI T APC 05443 $903.63, 73562 SI Q1,
    J3301 SI N, 76000 SI S APC 05523 $243.77 (ioce_hcpcs_si_apc, ioce_apc_payment_rates); the hospital
    PTP pair 64483/20610 modifier indicator 1 (ncci_ptp_outpatient_hospital_via_ioce); Q1 is packaged
    when the claim has a T service and N always (Addendum D1, Pub. 100-04 ch. 4). 20610 (SI T, APC 05441
    $313.60) is the second T procedure, paid at 50% (multiple-procedure discount, Pub. 100-04 ch. 4); its
    pair with 64483 is bypassed because the two lines carry different sides (64483-RT, 20610-LT-XS), an
    anatomic modifier of the NCCI policy manual ch. I (knowledge/rules/ncci_modifiers.yaml)."""
    from claimscribe.edits.engine import check_claim

    first, second, _, void = _read(INSTITUTIONAL)
    assert isinstance(first, Claim) and isinstance(second, Claim) and isinstance(void, Claim)
    result = check_claim(first, codebook)
    got = [(line.code, line.outcome, line.allowed) for line in result.lines]
    assert got == [
        ("64483", "payable", Decimal("903.63")),
        ("20610", "payable", Decimal("156.80")),  # RT vs LT on a PTP pair of indicator 1: distinct sides
        ("73562", "payable", Decimal("0.00")),
        ("J3301", "payable", Decimal("0.00")),
    ]
    assert "NCCI-PTP" in result.lines[1].rules
    assert result.total_allowed == Decimal("1060.43")
    alone = check_claim(second, codebook)
    assert [(line.code, line.outcome, line.allowed) for line in alone.lines] == [
        ("76000", "payable", Decimal("243.77"))
    ]
    voided = check_claim(void, codebook)
    assert voided.lines == [] and voided.total_allowed == 0
    (finding,) = voided.findings
    assert finding.rule == "CLAIM-FREQUENCY" and "22260510000123" in finding.message


def test_a_replacement_is_checked_and_says_what_it_replaces(codebook) -> None:  # type: ignore[no-untyped-def]
    from claimscribe.edits.engine import check_claim

    replacement = _claims(PROFESSIONAL)[1]
    result = check_claim(replacement, codebook)
    assert len(result.lines) == 3
    frequency = [f for f in result.findings if f.rule == "CLAIM-FREQUENCY"]
    assert len(frequency) == 1 and "2226003123456" in frequency[0].message


def test_837p_and_837i_round_trips_are_equal_and_pass_pyx12() -> None:
    for path, write in ((PROFESSIONAL, claims_to_837p), (INSTITUTIONAL, claims_to_837i)):
        claims = _claims(path)
        text = write(claims, ENVELOPE)
        assert x12n_document.x12n_document(params.params(), io.StringIO(text), io.StringIO(), None, None), (
            path
        )
        assert _claims_of(text) == claims, path
    mixed = _claims(PROFESSIONAL) + _claims(INSTITUTIONAL)
    text = claims_to_x12(mixed, ENVELOPE)
    assert text.count("GS*HC*") == 2
    back = _claims_of(text)
    assert sorted(back, key=lambda c: c.claim_id or "") == sorted(mixed, key=lambda c: c.claim_id or "")


def _claims_of(text: str) -> list[Claim]:
    items = list(read_claims_text(text, "x12"))
    assert all(isinstance(item, Claim) for item in items), items
    return items  # type: ignore[return-value]
