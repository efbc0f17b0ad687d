-- COVERAGE (edits/coverage.py). Every rule of an article depends on the claim's contractor (its locality's MAC
-- number or a contractor column), which the line file does not carry yet (asked of batch in
-- coord/notes/CHANGES.md, 2026-12-06). So, as the per-claim edit does for a claim without a contractor, each
-- line whose code some curated article governs gets the informational finding (effect NULL) that its LCD
-- coverage was not checked, and no line is denied or sent to review here.

INSERT INTO findings
SELECT l.claim_id, l.line_number, 'COVERAGE', CAST(NULL AS VARCHAR)
FROM lines l
WHERE l.code IN (SELECT code FROM k_coverage_code);
