-- SEVENTH-CHARACTER (edits/seventh_character.py): a claim diagnosis the tabular in force does not list as billable,
-- under a seventh-character definition (icd10cm_seventh at a prefix of it), that is: shorter than seven characters
-- with a billable code built from it with placeholders X and a seventh character; its last character a seventh
-- character written without the placeholder (stem padded with X + that character is billable); or seven long with
-- billable codes on its first six but not with its seventh. The lines pointing to it, every line when none does.

INSERT INTO findings
WITH claim_day AS (SELECT DISTINCT claim_id, dos FROM lines),
dx AS (
    SELECT DISTINCT d.claim_id, d.position, d.code_nodot, r.dataset_id, n.dataset_id AS notes_dataset
    FROM claim_diagnosis d
    JOIN claim_day c ON c.claim_id = d.claim_id
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm' AND r.rank = 1
    JOIN release n ON n.dos = c.dos AND n.family = 'icd10cm_notes' AND n.rank = 1
    LEFT JOIN cb.icd10cm t ON t.dataset_id = r.dataset_id AND t.code_nodot = d.code_nodot AND t.billable
    WHERE t.code_nodot IS NULL AND length(d.code_nodot) BETWEEN 4 AND 7
),
defined AS (
    SELECT DISTINCT x.claim_id, x.position, x.code_nodot, x.dataset_id, s.char
    FROM dx x
    JOIN cb.icd10cm_seventh s ON s.dataset_id = x.notes_dataset
         AND left(x.code_nodot, length(s.code_nodot)) = s.code_nodot
),
codes AS (SELECT DISTINCT claim_id, position, code_nodot, dataset_id FROM defined),
placeholder AS (  -- M4850A: the seventh character A without the placeholder X (M4850XA)
    SELECT DISTINCT d.claim_id, d.position
    FROM defined d
    JOIN cb.icd10cm t ON t.dataset_id = d.dataset_id AND t.billable
         AND t.code_nodot = rpad(left(d.code_nodot, length(d.code_nodot) - 1), 6, 'X') || d.char
    WHERE length(d.code_nodot) < 7 AND right(d.code_nodot, 1) = d.char
),
missing AS (  -- M4850, S52501: codes with placeholders and a seventh character exist
    SELECT DISTINCT c.claim_id, c.position
    FROM codes c
    JOIN cb.icd10cm t ON t.dataset_id = c.dataset_id AND t.billable AND length(t.code_nodot) = 7
         AND left(t.code_nodot, 6) = rpad(c.code_nodot, 6, 'X')
    WHERE length(c.code_nodot) < 7
),
invalid AS (  -- S52501Z: codes on the first six exist, none with this seventh character
    SELECT DISTINCT c.claim_id, c.position
    FROM codes c
    JOIN cb.icd10cm t ON t.dataset_id = c.dataset_id AND t.billable AND length(t.code_nodot) = 7
         AND left(t.code_nodot, 6) = left(c.code_nodot, 6)
    WHERE length(c.code_nodot) = 7
),
flagged AS (
    SELECT claim_id, position, 'seventh_character' AS convention FROM placeholder
    UNION SELECT claim_id, position, 'seventh_character' FROM missing
    UNION SELECT claim_id, position, 'seventh_character' FROM invalid
),
target AS (  -- each flagged diagnosis' lines (diagnosis_line, load.sql)
    SELECT DISTINCT f.claim_id, dl.line_number, f.convention
    FROM flagged f
    JOIN diagnosis_line dl ON dl.claim_id = f.claim_id AND dl.position = f.position
)
SELECT DISTINCT t.claim_id, t.line_number, 'SEVENTH-CHARACTER', k.effect
FROM target t
JOIN lines l ON l.claim_id = t.claim_id AND l.line_number = t.line_number
JOIN k_dx_effect k ON k.convention = t.convention AND k.claim_type = l.claim_type;
