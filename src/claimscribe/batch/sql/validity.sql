-- VALIDITY (edits/validity.py): a code no dataset knows on its date → the unknown-code effect; on
-- professional claims, the PFS status of the global row (k_status: effect per status code, NULL for an
-- informational one), or an informational finding when the code has no PFS row. Claim diagnoses are not
-- part of a claim line file, so the diagnosis half of VALIDITY has nothing to check here.

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
