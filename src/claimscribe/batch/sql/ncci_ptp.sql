-- NCCI-PTP (edits/ptp.py): a self-join of each claim's codes on the date of service against the PTP
-- table of the claim type (practitioner / outpatient hospital), release in force on the date, rows whose
-- effective range covers the date (past the release's end: its end). Indicator 9 → nothing; 0 → column
-- two denied; otherwise denied unless an NCCI PTP-associated modifier on either code's lines bypasses
-- it (anatomic ones only when both codes carry them and they differ), then review: a batch line has no
-- documentation facts to show the distinct service.

INSERT INTO findings
WITH sets AS (
    SELECT list(modifier) FILTER (WHERE set_name = 'ptp_nonanatomic') AS nonanatomic,
           list(modifier) FILTER (WHERE set_name = 'anatomic') AS anatomic
    FROM k_modifier
),
day_code AS (
    SELECT claim_id, dos, claim_type, code, list_distinct(flatten(list(modifiers))) AS modifiers
    FROM lines
    GROUP BY claim_id, dos, claim_type, code
),
pairs AS (
    SELECT a.claim_id, a.dos, b.code AS column2, p.modifier_indicator,
           a.modifiers AS first_mods, b.modifiers AS second_mods
    FROM day_code a
    JOIN day_code b ON b.claim_id = a.claim_id AND b.dos = a.dos AND b.code <> a.code
    JOIN k_ptp_table t ON t.claim_type = a.claim_type
    JOIN release r ON r.dos = a.dos AND r.family = t.family AND r.rank = 1
    JOIN cb.ptp p ON p.dataset_id = r.dataset_id AND p.column1 = a.code AND p.column2 = b.code
         AND (p.effective_from IS NULL OR p.effective_from <= r.row_date)
         AND (p.effective_to IS NULL OR p.effective_to >= r.row_date)
    WHERE p.modifier_indicator <> '9'
),
judged AS (
    SELECT claim_id, dos, column2,
           CASE
               WHEN modifier_indicator = '0' THEN 'denied'
               WHEN array_length(array_intersect(array_concat(first_mods, second_mods), sets.nonanatomic)) > 0
                    OR (array_length(array_intersect(first_mods, sets.anatomic)) > 0
                        AND array_length(array_intersect(second_mods, sets.anatomic)) > 0
                        AND list_sort(list_distinct(array_intersect(first_mods, sets.anatomic)))
                            <> list_sort(list_distinct(array_intersect(second_mods, sets.anatomic))))
                   THEN 'review'
               ELSE 'denied'
           END AS effect
    FROM pairs CROSS JOIN sets
)
SELECT l.claim_id, l.line_number, 'NCCI-PTP', j.effect
FROM judged j
JOIN lines l ON l.claim_id = j.claim_id AND l.dos = j.dos AND l.code = j.column2;
