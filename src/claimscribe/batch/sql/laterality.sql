-- LATERALITY (edits/laterality.py): a line whose code's bilateral indicator is one of k_sided_bilateral,
-- with no RT/LT/50 and no placing anatomic modifier → the missing-side effect; a line with RT or LT (not
-- both, not 50) whose diagnoses (those it points to, else the claim's only one) include some that name a side
-- (k_diagnosis_side words in the descriptor, as Codebook.icd10cm reads it: the CDC tabular in force,
-- else the I/OCE history) and none that names its side or both → the contradiction effect. The note's
-- side is per claim only (a line file carries no documentation).

INSERT INTO findings
WITH sets AS (
    SELECT list(modifier) FILTER (WHERE set_name = 'side_right') AS r,
           list(modifier) FILTER (WHERE set_name = 'side_left') AS lft,
           list(modifier) FILTER (WHERE set_name = 'side_both') AS both_sides,
           list(modifier) FILTER (WHERE set_name = 'side_placed') AS placed
    FROM k_modifier
),
sided AS (
    SELECT l.claim_id, l.line_number, l.dos, l.diagnosis_pointers, l.bilat_surg,
           array_length(array_intersect(l.modifiers, sets.r)) > 0 AS has_right,
           array_length(array_intersect(l.modifiers, sets.lft)) > 0 AS has_left,
           array_length(array_intersect(l.modifiers, sets.both_sides)) > 0 AS has_both,
           array_length(array_intersect(l.modifiers, sets.placed)) > 0 AS placed
    FROM line_code l CROSS JOIN sets
),
line_side AS (
    SELECT *,
           CASE WHEN has_both OR (has_right AND has_left) THEN 'bilateral'
                WHEN has_right THEN 'right' WHEN has_left THEN 'left' END AS side
    FROM sided
)
SELECT claim_id, line_number, 'LATERALITY', (SELECT value FROM k_param WHERE name = 'laterality_missing_effect')
FROM line_side
WHERE side IS NULL AND NOT placed AND bilat_surg IN (SELECT indicator FROM k_sided_bilateral);

INSERT INTO findings
WITH sets AS (
    SELECT list(modifier) FILTER (WHERE set_name = 'side_right') AS r,
           list(modifier) FILTER (WHERE set_name = 'side_left') AS lft,
           list(modifier) FILTER (WHERE set_name = 'side_both') AS both_sides
    FROM k_modifier
),
one_side AS (
    SELECT l.claim_id, l.line_number, l.dos, l.diagnosis_pointers,
           CASE WHEN array_length(array_intersect(l.modifiers, sets.r)) > 0 THEN 'right' ELSE 'left' END AS side
    FROM lines l CROSS JOIN sets
    WHERE array_length(array_intersect(l.modifiers, sets.both_sides)) = 0
      AND (array_length(array_intersect(l.modifiers, sets.r)) > 0) <> (array_length(array_intersect(l.modifiers, sets.lft)) > 0)
),
target AS (
    SELECT o.claim_id, o.line_number, o.dos, o.side, d.code, d.code_nodot
    FROM one_side o
    JOIN claim_diagnosis d ON d.claim_id = o.claim_id
    WHERE list_contains(o.diagnosis_pointers, d.position)
       OR (array_length(o.diagnosis_pointers) = 0
           AND (SELECT count(*) FROM claim_diagnosis c WHERE c.claim_id = o.claim_id) = 1)
),
code_date AS (SELECT DISTINCT code_nodot, dos FROM target),
tabular AS (
    SELECT c.code_nodot, c.dos, any_value(i.description) AS description, true AS in_force
    FROM code_date c
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm' AND r.rank = 1
    JOIN cb.dataset ds ON ds.dataset_id = r.dataset_id AND ds.effective_from <= c.dos
    LEFT JOIN cb.icd10cm i ON i.dataset_id = r.dataset_id AND i.code_nodot = c.code_nodot
    GROUP BY c.code_nodot, c.dos
),
history AS (
    SELECT c.code_nodot, c.dos, any_value(h.description) AS description
    FROM code_date c
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm_history' AND r.rank = 1
    JOIN cb.icd10cm_history h ON h.dataset_id = r.dataset_id AND h.code_nodot = c.code_nodot
         AND (h.effective_from IS NULL OR h.effective_from <= r.row_date)
         AND (h.effective_to IS NULL OR h.effective_to >= r.row_date)
    GROUP BY c.code_nodot, c.dos
),
described AS (
    SELECT c.code_nodot, c.dos,
           lower(CASE WHEN t.in_force THEN t.description ELSE h.description END) AS description
    FROM code_date c
    LEFT JOIN tabular t ON t.code_nodot = c.code_nodot AND t.dos = c.dos
    LEFT JOIN history h ON h.code_nodot = c.code_nodot AND h.dos = c.dos
),
named AS (  -- the one side a descriptor names (none when it names two)
    SELECT d.code_nodot, d.dos, min(k.side) AS side
    FROM described d
    JOIN k_diagnosis_side k ON regexp_matches(d.description, '\b' || k.word || '\b')
    GROUP BY d.code_nodot, d.dos
    HAVING count(DISTINCT k.side) = 1
),
judged AS (
    SELECT t.claim_id, t.line_number, t.side,
           bool_or(n.side = t.side OR n.side = 'bilateral') AS agrees
    FROM target t
    JOIN named n ON n.code_nodot = t.code_nodot AND n.dos = t.dos
    GROUP BY t.claim_id, t.line_number, t.side
)
SELECT claim_id, line_number, 'LATERALITY', (SELECT value FROM k_param WHERE name = 'laterality_contradiction_effect')
FROM judged
WHERE NOT agrees;
