-- ADD-ON (edits/addon.py): an add-on code of the NCCI add-on file in force on the date, its type the
-- first row's by primary code. A listed primary billed on the claim that date → nothing. Without one:
-- no listed primaries (type 2, contractor-defined) → information when another non-add-on service is
-- billed that day, else the type's effect; with listed primaries → the type's effect. Every line of the
-- add-on code on that date is named.
-- Only existence matters, so each question is a semi-join on (claim, date, code), never a product of
-- the add-on lines and the claim's other lines (a file of many add-ons would otherwise grow with both).

INSERT INTO findings
WITH day_code AS (
    SELECT DISTINCT claim_id, dos, code FROM lines
),
addon_row AS (
    SELECT d.claim_id, d.dos, d.code, a.edit_type, a.primary_code
    FROM day_code d
    JOIN release r ON r.dos = d.dos AND r.family = 'ncci_addon' AND r.rank = 1
    JOIN cb.addon_edit a ON a.dataset_id = r.dataset_id AND a.add_on_code = d.code
),
addons AS (
    SELECT claim_id, dos, code,
           arg_min(edit_type, primary_code) AS edit_type,
           count(*) FILTER (
               WHERE primary_code <> (SELECT value FROM k_param WHERE name = 'addon_contractor_primary')
           ) AS listed
    FROM addon_row
    GROUP BY claim_id, dos, code
),
primary_billed AS (
    SELECT DISTINCT a.claim_id, a.dos, a.code
    FROM addon_row a
    JOIN day_code o ON o.claim_id = a.claim_id AND o.dos = a.dos AND o.code = a.primary_code
    WHERE o.code <> a.code
),
other_service AS (
    SELECT DISTINCT o.claim_id, o.dos
    FROM day_code o
    LEFT JOIN addons x ON x.claim_id = o.claim_id AND x.dos = o.dos AND x.code = o.code
    WHERE x.code IS NULL
),
judged AS (
    SELECT a.claim_id, a.dos, a.code, k.effect, a.listed, s.claim_id IS NOT NULL AS other_service
    FROM addons a
    JOIN k_addon k ON k.edit_type = a.edit_type
    LEFT JOIN primary_billed b ON b.claim_id = a.claim_id AND b.dos = a.dos AND b.code = a.code
    LEFT JOIN other_service s ON s.claim_id = a.claim_id AND s.dos = a.dos
    WHERE b.claim_id IS NULL
)
SELECT l.claim_id, l.line_number, 'ADD-ON', CASE WHEN j.listed = 0 AND j.other_service THEN NULL ELSE j.effect END
FROM judged j
JOIN lines l ON l.claim_id = j.claim_id AND l.dos = j.dos AND l.code = j.code;
