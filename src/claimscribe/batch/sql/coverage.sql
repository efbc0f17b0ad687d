-- COVERAGE (edits/coverage.py), by the claim's contractor (the line file's `contractor` column): each line
-- whose code a curated article governs (k_coverage_code) is checked against the article of its contractor.

-- No contractor, or a contractor with no article for the code: information (effect NULL), as per claim.
INSERT INTO findings
SELECT l.claim_id, l.line_number, 'COVERAGE', CAST(NULL AS VARCHAR)
FROM lines l
WHERE l.code IN (SELECT code FROM k_coverage_code)
  AND NOT EXISTS (SELECT 1 FROM k_coverage_code k WHERE k.code = l.code AND k.contractor = l.contractor);

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
covered AS (
    SELECT DISTINCT ld.claim_id, ld.line_number
    FROM line_dx ld
    JOIN k_coverage_dx x ON x.article = ld.article AND x.role = 'covered' AND starts_with(ld.code, x.entry)
    WHERE NOT EXISTS (SELECT 1 FROM k_coverage_dx a WHERE a.article = x.article AND a.dx_group = x.dx_group
                                                      AND a.role = 'also')
       OR EXISTS (SELECT 1 FROM dual_met m WHERE m.claim_id = ld.claim_id AND m.article = x.article
                                             AND m.dx_group = x.dx_group)
)
SELECT g.claim_id, g.line_number, 'COVERAGE', g.dx_effect
FROM governed g
WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.claim_id = g.claim_id AND c.line_number = g.line_number);

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
