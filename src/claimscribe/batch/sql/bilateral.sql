-- BILATERAL (edits/bilateral.py), professional claims, by the global row's BILAT SURG indicator:
-- each line with 50 gets the indicator's modifier-50 effect; when one code has both an RT-only and an
-- LT-only line (without 50) on a date, 'combine' sends all of those lines to review, another effect
-- names all of them but the first in claim order.

INSERT INTO findings
WITH m AS (
    SELECT max(modifier) FILTER (WHERE set_name = 'fifty') AS fifty,
           max(modifier) FILTER (WHERE set_name = 'right') AS rt,
           max(modifier) FILTER (WHERE set_name = 'left') AS lt
    FROM k_modifier
),
b AS (
    SELECT l.claim_id, l.line_number, l.line_index, l.dos, l.code, k.modifier_50, k.both_sides,
           list_contains(l.modifiers, m.fifty) AS fifty,
           NOT list_contains(l.modifiers, m.fifty) AND list_contains(l.modifiers, m.rt)
               AND NOT list_contains(l.modifiers, m.lt) AS is_right,
           NOT list_contains(l.modifiers, m.fifty) AND list_contains(l.modifiers, m.lt)
               AND NOT list_contains(l.modifiers, m.rt) AS is_left
    FROM line_code l
    CROSS JOIN m
    JOIN k_bilateral k ON k.indicator = l.bilat_surg
    WHERE l.claim_type = 'professional' AND l.known AND l.pfs_dataset IS NOT NULL
),
s AS (
    SELECT *,
           bool_or(is_right) OVER (PARTITION BY claim_id, dos, code) AS any_right,
           bool_or(is_left) OVER (PARTITION BY claim_id, dos, code) AS any_left,
           row_number() OVER (PARTITION BY claim_id, dos, code, is_right OR is_left ORDER BY line_index) AS side_rank
    FROM b
)
SELECT claim_id, line_number, 'BILATERAL', modifier_50
FROM s WHERE fifty AND modifier_50 IS NOT NULL
UNION ALL
SELECT claim_id, line_number, 'BILATERAL', CASE WHEN both_sides = 'combine' THEN 'review' ELSE both_sides END
FROM s
WHERE (is_right OR is_left) AND any_right AND any_left AND both_sides IS NOT NULL
  AND (both_sides = 'combine' OR side_rank > 1);
