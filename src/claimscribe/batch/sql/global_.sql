-- GLOBAL (edits/global_period.py), professional claims: each E/M line against the claim's non-E/M lines
-- whose PFS global period (on their date) is one of k_global_period: the same day, or the day before for
-- a period that checks it. An accepted modifier on the E/M line → nothing for that procedure; a review
-- modifier → review; else denied. The E/M line gets the worst.

INSERT INTO findings
WITH em AS (
    SELECT l.*
    FROM lines l
    JOIN k_em_range k ON regexp_matches(l.code, '^(?:[0-9]+)$') AND CAST(l.code AS INTEGER) BETWEEN k.first AND k.last
    WHERE l.claim_type = 'professional'
),
procedures AS (
    SELECT l.claim_id, l.dos, l.global_days
    FROM line_code l
    JOIN k_global_period g ON g.days = l.global_days
    WHERE l.claim_type = 'professional' AND l.known AND l.pfs_dataset IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM k_em_range k
          WHERE regexp_matches(l.code, '^(?:[0-9]+)$') AND CAST(l.code AS INTEGER) BETWEEN k.first AND k.last
      )
),
pairs AS (
    SELECT e.claim_id, e.line_number, e.modifiers, p.global_days,
           CASE WHEN p.dos = e.dos THEN 'same' ELSE 'before' END AS relation
    FROM em e
    JOIN procedures p ON p.claim_id = e.claim_id
    JOIN k_global_period g ON g.days = p.global_days
    WHERE p.dos = e.dos OR (g.has_day_before AND p.dos = e.dos + INTERVAL 1 DAY)
),
judged AS (
    SELECT claim_id, line_number,
           CASE
               WHEN EXISTS (SELECT 1 FROM k_global k WHERE k.days = pairs.global_days AND k.relation = pairs.relation
                            AND k.role = 'accepted' AND list_contains(pairs.modifiers, k.modifier)) THEN NULL
               WHEN EXISTS (SELECT 1 FROM k_global k WHERE k.days = pairs.global_days AND k.relation = pairs.relation
                            AND k.role = 'review' AND list_contains(pairs.modifiers, k.modifier)) THEN 1
               ELSE 2
           END AS rank
    FROM pairs
)
SELECT claim_id, line_number, 'GLOBAL', CASE max(rank) WHEN 2 THEN 'denied' ELSE 'review' END
FROM judged
WHERE rank IS NOT NULL
GROUP BY claim_id, line_number;
