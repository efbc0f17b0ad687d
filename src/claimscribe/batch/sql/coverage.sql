-- COVERAGE (edits/coverage.py), by the claim's contractor (the line file's `contractor` column): each line
-- whose code a curated article governs (k_coverage_code) is checked against the article of its contractor.

-- No contractor, or a contractor with no article for the code: information (effect NULL), as per claim.
INSERT INTO findings
SELECT l.claim_id, l.line_number, 'COVERAGE', CAST(NULL AS VARCHAR)
FROM lines l
JOIN (SELECT DISTINCT code FROM k_coverage_code) g ON g.code = l.code
LEFT JOIN k_coverage_code k ON k.code = l.code AND k.contractor = l.contractor
WHERE k.code IS NULL;

-- A code the article does not cover: the article's effect.
INSERT INTO findings
SELECT l.claim_id, l.line_number, 'COVERAGE', k.not_covered
FROM lines l
JOIN k_coverage_code k ON k.code = l.code AND k.contractor = l.contractor
WHERE k.not_covered IS NOT NULL;

-- The line's diagnoses (its pointers, else all the claim's) against the article's groups: covered when one
-- starts with a group's entry and, for a dual group, the claim also has a diagnosis starting with a companion.
INSERT INTO findings
WITH governed AS (
    SELECT l.claim_id, l.line_number, l.diagnosis_pointers, k.article, k.dx_effect
    FROM lines l
    JOIN k_coverage_code k ON k.code = l.code AND k.contractor = l.contractor
    WHERE k.not_covered IS NULL
),
line_dx AS (
    SELECT g.claim_id, g.line_number, g.article, d.code
    FROM governed g
    JOIN claim_diagnosis d ON d.claim_id = g.claim_id
    WHERE coalesce(array_length(g.diagnosis_pointers), 0) = 0 OR list_contains(g.diagnosis_pointers, d.position)
),
dual_met AS (
    SELECT DISTINCT d.claim_id, x.article, x.dx_group
    FROM claim_diagnosis d
    JOIN k_coverage_dx x ON x.role = 'also' AND starts_with(d.code, x.entry)
),
dual_groups AS (
    SELECT DISTINCT article, dx_group FROM k_coverage_dx WHERE role = 'also'
),
covered AS (
    SELECT DISTINCT ld.claim_id, ld.line_number
    FROM line_dx ld
    JOIN k_coverage_dx x ON x.article = ld.article AND x.role = 'covered' AND starts_with(ld.code, x.entry)
    LEFT JOIN dual_groups dg ON dg.article = x.article AND dg.dx_group = x.dx_group
    LEFT JOIN dual_met m ON m.claim_id = ld.claim_id AND m.article = x.article AND m.dx_group = x.dx_group
    WHERE dg.article IS NULL OR m.claim_id IS NOT NULL
)
SELECT g.claim_id, g.line_number, 'COVERAGE', g.dx_effect
FROM governed g
LEFT JOIN covered c ON c.claim_id = g.claim_id AND c.line_number = g.line_number
WHERE c.claim_id IS NULL;

-- Levels in one session past the code group's limit: the running units of the group's lines on a date, in
-- claim order; the lines past the limit get the group's effect.
INSERT INTO findings
WITH grouped AS (
    SELECT l.claim_id, l.line_number, k.max_levels, k.levels_effect,
           sum(l.units) OVER (PARTITION BY l.claim_id, l.dos, k.article, k.code_group
                              ORDER BY l.line_index ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM lines l
    JOIN k_coverage_code k ON k.code = l.code AND k.contractor = l.contractor
    WHERE k.not_covered IS NULL AND k.max_levels IS NOT NULL
)
SELECT claim_id, line_number, 'COVERAGE', levels_effect
FROM grouped
WHERE running > max_levels;
