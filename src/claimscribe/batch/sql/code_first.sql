-- CODE-FIRST (edits/code_first.py): the first-listed diagnosis a manifestation code (k_dx_effect
-- manifestation_first) or unacceptable as principal (unacceptable_principal) by the I/OCE row in force; a later
-- manifestation code whose code-first note names codes none of the diagnoses listed before it has (code_first,
-- information). The lines pointing to the diagnosis, every line of the claim when none does.

INSERT INTO findings
WITH claim_day AS (SELECT DISTINCT claim_id, dos FROM lines),
limits AS (  -- as Codebook.icd10cm_limits: the I/OCE diagnosis row in force on the release's row date
    SELECT d.claim_id, d.position, d.code_nodot, c.dos, h.lo_age, h.hi_age, h.sex, h.manifestation,
           h.unacceptable_pdx,
           row_number() OVER (PARTITION BY d.claim_id, d.position, c.dos ORDER BY h.effective_from DESC NULLS LAST) AS pick
    FROM claim_diagnosis d
    JOIN claim_day c ON c.claim_id = d.claim_id
    JOIN release r ON r.dos = c.dos AND r.family = 'icd10cm_history' AND r.rank = 1
    JOIN cb.icd10cm_history h ON h.dataset_id = r.dataset_id AND h.code_nodot = d.code_nodot
         AND (h.effective_from IS NULL OR h.effective_from <= r.row_date)
         AND (h.effective_to IS NULL OR h.effective_to >= r.row_date)
),
in_force AS (SELECT * FROM limits WHERE pick = 1),
first_listed AS (
    SELECT claim_id, position, 'manifestation_first' AS convention FROM in_force WHERE position = 1 AND manifestation
    UNION ALL
    SELECT claim_id, position, 'unacceptable_principal' FROM in_force WHERE position = 1 AND unacceptable_pdx
),
later AS (SELECT claim_id, position, code_nodot, dos FROM in_force WHERE position > 1 AND manifestation),
code_first_ref AS (
    SELECT l.claim_id, l.position, n.ref_from, n.ref_to, n.ref_with
    FROM later l
    JOIN release r ON r.dos = l.dos AND r.family = 'icd10cm_notes' AND r.rank = 1
    JOIN cb.icd10cm_note_ref n ON n.dataset_id = r.dataset_id AND n.kind = 'code_first'
         AND left(l.code_nodot, length(n.scope_from)) >= n.scope_from
         AND left(l.code_nodot, length(n.scope_to)) <= n.scope_to
),
met AS (
    SELECT DISTINCT f.claim_id, f.position
    FROM code_first_ref f
    JOIN claim_diagnosis e ON e.claim_id = f.claim_id AND e.position < f.position
         AND left(e.code_nodot, length(f.ref_from)) >= f.ref_from
         AND left(e.code_nodot, length(f.ref_to)) <= f.ref_to
         AND (f.ref_with IS NULL OR substr(e.code_nodot, 4, length(f.ref_with)) = f.ref_with)
),
flagged AS (
    SELECT claim_id, position, convention FROM first_listed
    UNION
    SELECT DISTINCT f.claim_id, f.position, 'code_first'
    FROM code_first_ref f
    LEFT JOIN met m ON m.claim_id = f.claim_id AND m.position = f.position
    WHERE m.claim_id IS NULL
),
target AS (  -- each flagged diagnosis' lines (diagnosis_line, load.sql)
    SELECT DISTINCT f.claim_id, dl.line_number, f.convention
    FROM flagged f
    JOIN diagnosis_line dl ON dl.claim_id = f.claim_id AND dl.position = f.position
)
SELECT DISTINCT t.claim_id, t.line_number, 'CODE-FIRST', k.effect
FROM target t
JOIN lines l ON l.claim_id = t.claim_id AND l.line_number = t.line_number
JOIN k_dx_effect k ON k.convention = t.convention AND k.claim_type = l.claim_type;
