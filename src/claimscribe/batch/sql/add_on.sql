-- ADD-ON (edits/addon.py): an add-on code of the NCCI add-on file in force on the date, its type the
-- first row's by primary code. A listed primary billed on the claim that date → nothing. Without one:
-- no listed primaries (type 2, contractor-defined) → information when another non-add-on service is
-- billed that day, else the type's effect; with listed primaries → the type's effect. Every line of the
-- add-on code on that date is named.

INSERT INTO findings
WITH day_code AS (
    SELECT DISTINCT claim_id, dos, code FROM lines
),
addons AS (
    SELECT d.claim_id, d.dos, d.code,
           arg_min(a.edit_type, a.primary_code) AS edit_type,
           list(a.primary_code) FILTER (
               WHERE a.primary_code <> (SELECT value FROM k_param WHERE name = 'addon_contractor_primary')
           ) AS primaries
    FROM day_code d
    JOIN release r ON r.dos = d.dos AND r.family = 'ncci_addon' AND r.rank = 1
    JOIN cb.addon_edit a ON a.dataset_id = r.dataset_id AND a.add_on_code = d.code
    GROUP BY d.claim_id, d.dos, d.code
),
judged AS (
    SELECT a.claim_id, a.dos, a.code, k.effect, coalesce(array_length(a.primaries), 0) AS listed,
           EXISTS (
               SELECT 1 FROM day_code o
               WHERE o.claim_id = a.claim_id AND o.dos = a.dos AND o.code <> a.code
                 AND list_contains(a.primaries, o.code)
           ) AS primary_billed,
           EXISTS (
               SELECT 1 FROM day_code o
               WHERE o.claim_id = a.claim_id AND o.dos = a.dos
                 AND NOT EXISTS (
                     SELECT 1 FROM addons x WHERE x.claim_id = o.claim_id AND x.dos = o.dos AND x.code = o.code
                 )
           ) AS other_service
    FROM addons a
    JOIN k_addon k ON k.edit_type = a.edit_type
)
SELECT l.claim_id, l.line_number, 'ADD-ON', CASE WHEN j.listed = 0 AND j.other_service THEN NULL ELSE j.effect END
FROM judged j
JOIN lines l ON l.claim_id = j.claim_id AND l.dos = j.dos AND l.code = j.code
WHERE NOT j.primary_billed;
