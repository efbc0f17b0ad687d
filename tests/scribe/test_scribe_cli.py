"""`claimscribe scribe` end to end on typed dictations: the seed page's three promises, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli

KNEE = """PROCEDURE NOTE
INDICATION: Right knee medial meniscus tear with mechanical symptoms.
PROCEDURE: Right knee arthroscopy with partial medial meniscectomy.
Fluoroscopy was used briefly to confirm portal placement. Fluoroscopy time 0.4 minutes.
Dose area product 1.2 Gy cm2. Performed under the supervision of Dr. Alan Reyes.
"""

LINE_CHECK = """INDICATION: Confirm position of the right internal jugular central venous catheter tip.
PROCEDURE: Fluoroscopy of the chest.
FLUOROSCOPY: Fluoroscopy time 1.5 minutes. Air kerma 3.2 mGy.
FINDINGS: I reviewed the fluoroscopic images; the catheter tip projects over the cavoatrial junction.
Dr. Priya Shah supervised the procedure.
"""

NO_FLUORO = """INDICATION: Left knee osteoarthritis with pain.
PROCEDURE: Left knee intra-articular injection with 40 mg triamcinolone.
No fluoroscopy was used. Landmark technique without imaging guidance.
"""


def scribe_json(tmp_path: Path, codebook_path: Path, text: str, *args: str) -> dict:
    path = tmp_path / "dictation.txt"
    path.write_text(text)
    result = run_cli("scribe", str(path), "--date", "2024-08-01", "--json", *args, codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_knee_arthroscopy_with_fluoroscopy_flags_76000_before_submission(tmp_path, codebook_path) -> None:  # type: ignore[no-untyped-def]
    # Seed promise 1: fluoroscopy during a knee arthroscopy is bundled (NCCI PTP 29881/76000; NCCI Policy
    # Manual Ch. IX): the scribe says so instead of drafting a 76000 line that would be denied.
    document = scribe_json(tmp_path, codebook_path, KNEE, "--setting", "facility", "--check")
    assert [line["code"] for line in document["lines"]] == ["29881"]
    assert document["lines"][0]["modifiers"] == ["RT"]
    flagged = [r for r in document["rationale"] if r["code"] == "76000" and r["kind"] == "not_suggested"]
    assert flagged and "29881" in flagged[0]["why"]
    fluoro = document["facts"]["imaging"][0]
    assert fluoro["used"] is True and fluoro["minutes"] == 0.4
    assert fluoro["dose"] == {"value": 1.2, "unit": "Gy·cm²", "kind": "dap"}
    assert document["check"]["lines"][0]["outcome"] == "payable"


def test_hospital_fluoroscopy_without_separate_report_prompts_for_it(tmp_path, codebook_path) -> None:  # type: ignore[no-untyped-def]
    # Seed promise 2: in a facility the physician bills 76000-26, and 26 needs a separate written
    # interpretation report (knowledge/codes/76000.yaml): the scribe prompts for it and drafts one.
    document = scribe_json(tmp_path, codebook_path, LINE_CHECK, "--setting", "facility")
    assert any(line["code"] == "76000" and "26" in line["modifiers"] for line in document["lines"])
    prompts = [g for g in document["gaps"] if g["code"] == "76000"]
    assert any(g["element"] == "interpretation_report" and "report" in g["prompt"] for g in prompts)
    assert document["interpretation_report_draft"]


def test_no_fluoroscopy_means_no_imaging_code(tmp_path, codebook_path) -> None:  # type: ignore[no-untyped-def]
    # Seed promise 3: a stated negative wins; no imaging line is drafted.
    document = scribe_json(tmp_path, codebook_path, NO_FLUORO)
    imaging = {"76000", "77001", "77002", "77003", "77012", "77021", "76942"}
    assert not imaging & {line["code"] for line in document["lines"]}
    assert any(i["modality"] == "fluoroscopy" and i["used"] is False for i in document["facts"]["imaging"])


def test_a_note_with_nothing_to_code_returns_its_facts_and_says_so(tmp_path, codebook_path) -> None:  # type: ignore[no-untyped-def]
    # Issue 14: a real note with no procedure (a clinic visit) is not bad input: exit 0, no line, and a prompt
    # that says there is nothing for the scribe to code.
    document = scribe_json(
        tmp_path, codebook_path, "Patient seen in clinic. Doing well. Follow up in six weeks.\n"
    )
    assert document["lines"] == [] and document["facts"]["procedures"] == []
    assert any("No procedure done at this encounter" in p for p in document["prompts"])


def test_bad_dictations_are_one_line_exit_2(tmp_path, codebook_path) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "empty.txt": (b"", "empty"),
        "silent.wav": (b"", "empty"),
        "corrupt.wav": (b"RIFF\x00\x00\x00\x00WAVEnot really audio at all" * 10, "corrupt.wav"),
        "dictation.xyz": (b"abc", "unsupported"),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = run_cli("scribe", str(path), "--json", codebook=codebook_path)
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0].lower(), (name, result.stderr)
        assert "Traceback" not in result.stderr
