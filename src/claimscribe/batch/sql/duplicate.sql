-- DUPLICATE (edits/duplicate.py): lines of one claim with the same code, date, provider and set of
-- modifiers, neither with a repeat/distinct modifier (k_modifier duplicate_repeat): every line after the
-- first (in line order) gets the duplicate effect. The line file has no NDC, so drug lines differing only
-- by NDC count as duplicates here (per claim they do not).

INSERT INTO findings
WITH plain AS (
    SELECT l.claim_id, l.line_number, l.dos, l.code, list_sort(list_distinct(l.modifiers)) AS modifier_set,
           coalesce(l.provider_id, '') AS provider
    FROM lines l
    WHERE array_length(array_intersect(l.modifiers,
              (SELECT list(modifier) FROM k_modifier WHERE set_name = 'duplicate_repeat'))) = 0
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY claim_id, dos, code, modifier_set, provider ORDER BY line_number)
        AS n
    FROM plain
)
SELECT claim_id, line_number, 'DUPLICATE', (SELECT value FROM k_param WHERE name = 'duplicate_effect')
FROM ranked
WHERE n > 1;
