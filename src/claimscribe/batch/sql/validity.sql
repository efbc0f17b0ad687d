-- VALIDITY (edits/validity.py): a code no dataset knows on its date → the unknown-code effect; on
-- professional claims, the PFS status of the global row (k_status: effect per status code, NULL for an
-- informational one), or an informational finding when the code has no PFS row. Each claim diagnosis
-- (claim_diagnosis) that is not a valid, billable ICD-10-CM code on a line's date → the diagnosis effect on
-- the lines that point to it, every line of the claim when none does; a date before every loaded
-- ICD-10-CM release → a finding without effect (nothing to check against).

INSERT INTO findings
SELECT claim_id, line_number, 'VALIDITY', (SELECT value FROM k_param WHERE name = 'unknown_effect')
FROM line_code
WHERE NOT known;

INSERT INTO findings
SELECT l.claim_id, l.line_number, 'VALIDITY',
       CASE WHEN l.status_code IS NULL OR l.pfs_dataset IS NULL THEN NULL ELSE s.effect END
FROM line_code l
LEFT JOIN k_status s ON s.status_code = l.status_code
WHERE l.known AND l.claim_type = 'professional'
  AND (l.status_code IS NULL OR l.pfs_dataset IS NULL OR s.status_code IS NOT NULL);

INSERT INTO findings
WITH line_pointer AS (
    SELECT DISTINCT claim_id, line_number, dos, unnest(diagnosis_pointers) AS position FROM lines
),
pointed AS (SELECT DISTINCT claim_id, position FROM line_pointer),
target AS (
    SELECT claim_id, line_number, dos, position FROM line_pointer
    UNION ALL
    SELECT l.claim_id, l.line_number, l.dos, d.position
    FROM claim_diagnosis d
    JOIN lines l ON l.claim_id = d.claim_id
    LEFT JOIN pointed p ON p.claim_id = d.claim_id AND p.position = d.position
    WHERE p.claim_id IS NULL
),
target_code AS (
    SELECT t.claim_id, t.line_number, t.dos, d.code, d.code_nodot
    FROM target t JOIN claim_diagnosis d ON d.claim_id = t.claim_id AND d.position = t.position
),
code_date AS (SELECT DISTINCT code, code_nodot, dos FROM target_code),
-- As Codebook.icd10cm: the CDC tabular in force when it had begun by the date, else the I/OCE history.
tabular AS (
    SELECT c.code, c.dos, coalesce(bool_or(i.billable), false) AS billable
    FROM code_date c
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm' AND r.rank = 1
    JOIN cb.dataset ds ON ds.dataset_id = r.dataset_id AND ds.effective_from <= c.dos
    LEFT JOIN cb.icd10cm i ON i.dataset_id = r.dataset_id AND i.code_nodot = c.code_nodot
    GROUP BY c.code, c.dos
),
history AS (
    SELECT DISTINCT c.code, c.dos
    FROM code_date c
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm_history' AND r.rank = 1
    JOIN cb.icd10cm_history h ON h.dataset_id = r.dataset_id AND h.code_nodot = c.code_nodot
         AND (h.effective_from IS NULL OR h.effective_from <= r.row_date)
         AND (h.effective_to IS NULL OR h.effective_to >= r.row_date)
),
-- A date before every loaded ICD-10-CM release has no code set to check against: a finding without effect.
earliest AS (
    SELECT min(effective_from) AS effective_from FROM cb.dataset WHERE family IN ('icd10cm', 'icd10cm_history')
),
status AS (
    SELECT c.code, c.dos,
           coalesce(c.dos < (SELECT effective_from FROM earliest), false) AS uncovered,
           regexp_matches(c.code, '^(?:[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?)$')
           AND CASE WHEN t.code IS NOT NULL THEN t.billable ELSE h.code IS NOT NULL END AS billable
    FROM code_date c
    LEFT JOIN tabular t ON t.code = c.code AND t.dos = c.dos
    LEFT JOIN history h ON h.code = c.code AND h.dos = c.dos
)
SELECT DISTINCT t.claim_id, t.line_number, 'VALIDITY',
       CASE WHEN NOT s.uncovered THEN (SELECT value FROM k_param WHERE name = 'diagnosis_effect') END
FROM target_code t
JOIN status s ON s.code = t.code AND s.dos = t.dos
WHERE s.uncovered OR NOT s.billable;
