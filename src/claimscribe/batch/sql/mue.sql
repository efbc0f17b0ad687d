-- MUE (edits/mue.py): units against the MUE of the claim type's table (practitioner / outpatient
-- hospital) in the release in force on the date. MAI scope 'line': each line's units; scope
-- 'date_of_service': the code's units summed over the claim's lines of the date, every one of them named.

INSERT INTO findings
WITH m AS (
    SELECT l.claim_id, l.line_number, l.dos, l.code, l.units, u.mue_units, k.scope, k.effect
    FROM lines l
    JOIN k_mue_table t ON t.claim_type = l.claim_type
    JOIN release r ON r.dos = l.dos AND r.family = t.family AND r.rank = 1
    JOIN cb.mue u ON u.dataset_id = r.dataset_id AND u.hcpcs = l.code
    JOIN k_mue k ON k.mai = u.mai
),
s AS (
    SELECT *, sum(units) OVER (PARTITION BY claim_id, dos, code) AS total FROM m
)
SELECT claim_id, line_number, 'MUE', effect
FROM s
WHERE (scope = 'line' AND units > mue_units) OR (scope = 'date_of_service' AND total > mue_units);
