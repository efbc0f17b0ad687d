-- DX-AGE (edits/dx_age.py): with the patient's birth date on the line, each claim diagnosis whose I/OCE row in
-- force on the date gives an age range (lo_age NULL = 0, hi_age NULL = 124) that the patient's age in whole
-- years on the date of service is outside. The lines pointing to it, every line of the claim when none does.

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
patient AS (
    SELECT claim_id, dos,
           year(dos) - year(patient_birth_date)
           - CASE WHEN month(dos) < month(patient_birth_date)
                       OR (month(dos) = month(patient_birth_date) AND day(dos) < day(patient_birth_date))
                  THEN 1 ELSE 0 END AS age
    FROM lines
    WHERE patient_birth_date IS NOT NULL
    GROUP BY claim_id, dos, patient_birth_date
),
flagged AS (
    SELECT DISTINCT m.claim_id, m.position, 'age' AS convention
    FROM limits m
    JOIN patient p ON p.claim_id = m.claim_id AND p.dos = m.dos
    WHERE m.pick = 1 AND (p.age < coalesce(m.lo_age, 0) OR p.age > coalesce(m.hi_age, 124))
),
target AS (  -- each flagged diagnosis' lines (diagnosis_line, load.sql)
    SELECT DISTINCT f.claim_id, dl.line_number, f.convention
    FROM flagged f
    JOIN diagnosis_line dl ON dl.claim_id = f.claim_id AND dl.position = f.position
)
SELECT DISTINCT t.claim_id, t.line_number, 'DX-AGE', k.effect
FROM target t
JOIN lines l ON l.claim_id = t.claim_id AND l.line_number = t.line_number
JOIN k_dx_effect k ON k.convention = t.convention AND k.claim_type = l.claim_type;
