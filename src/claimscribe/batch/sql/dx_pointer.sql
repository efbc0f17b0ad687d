-- DX-POINTER (edits/dx_pointer.py), professional claims: a claim with no diagnosis (no claim_diagnosis
-- row) → every line the no-diagnosis effect; a line without pointers on a claim with two or more
-- diagnoses → the no-pointer effect.

INSERT INTO findings
WITH counted AS (
    SELECT l.claim_id, l.line_number, coalesce(array_length(l.diagnosis_pointers), 0) AS pointers,
           (SELECT count(*) FROM claim_diagnosis d WHERE d.claim_id = l.claim_id) AS diagnoses
    FROM lines l
    WHERE l.claim_type = 'professional'
)
SELECT claim_id, line_number, 'DX-POINTER',
       CASE WHEN diagnoses = 0 THEN (SELECT value FROM k_param WHERE name = 'dx_pointer_no_diagnosis_effect')
            ELSE (SELECT value FROM k_param WHERE name = 'dx_pointer_no_pointer_effect') END
FROM counted
WHERE diagnoses = 0 OR (diagnoses > 1 AND pointers = 0);
