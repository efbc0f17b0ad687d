-- EXCLUDES1 (edits/excludes1.py): each pair of a claim's diagnoses that an Excludes1 note of the tabular in force
-- separates (the note governs the first code: its entry's nodot prefix range holds it; it names the second: the
-- reference's prefix range holds it). The lines pointing to either diagnosis, every line of the claim for one no
-- line points to, get the effect of k_dx_effect for their claim type.
-- Cost: the note join runs once per distinct code and date, not per claim.

INSERT INTO findings
WITH claim_day AS (SELECT DISTINCT claim_id, dos FROM lines),
dx AS (
    SELECT d.claim_id, d.position, d.code_nodot, r.dataset_id
    FROM claim_diagnosis d
    JOIN claim_day c ON c.claim_id = d.claim_id
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm_notes' AND r.rank = 1
),
code_release AS (SELECT DISTINCT code_nodot, dataset_id FROM dx),
excluding AS (
    SELECT c.code_nodot, c.dataset_id, n.ref_from, n.ref_to, n.ref_with
    FROM code_release c
    JOIN cb.icd10cm_note_ref n ON n.dataset_id = c.dataset_id AND n.kind = 'excludes1'
         AND left(c.code_nodot, length(n.scope_from)) >= n.scope_from
         AND left(c.code_nodot, length(n.scope_to)) <= n.scope_to
),
pair AS (
    SELECT DISTINCT a.claim_id, a.position AS first_position, b.position AS second_position
    FROM dx a
    JOIN excluding e ON e.code_nodot = a.code_nodot AND e.dataset_id = a.dataset_id
    JOIN dx b ON b.claim_id = a.claim_id AND b.code_nodot <> a.code_nodot
         AND left(b.code_nodot, length(e.ref_from)) >= e.ref_from
         AND left(b.code_nodot, length(e.ref_to)) <= e.ref_to
         AND (e.ref_with IS NULL OR substr(b.code_nodot, 4, length(e.ref_with)) = e.ref_with)
),
position_of_pair AS (
    SELECT claim_id, first_position AS position FROM pair
    UNION SELECT claim_id, second_position FROM pair
),
target AS (  -- the lines of either diagnosis of a pair (diagnosis_line, load.sql)
    SELECT DISTINCT p.claim_id, dl.line_number
    FROM position_of_pair p
    JOIN diagnosis_line dl ON dl.claim_id = p.claim_id AND dl.position = p.position
)
SELECT DISTINCT t.claim_id, t.line_number, 'EXCLUDES1', k.effect
FROM target t
JOIN lines l ON l.claim_id = t.claim_id AND l.line_number = t.line_number
JOIN k_dx_effect k ON k.convention = 'excludes1' AND k.claim_type = l.claim_type;
