-- Each line's outcome: the worst effect among the findings that name it (k_outcome ranks), payable when
-- none does; and the set of rule ids that name it (as the per-claim engine's `rules`, sorted).

CREATE OR REPLACE TEMP TABLE line_verdict AS
WITH named AS (
    SELECT f.claim_id, f.line_number,
           arg_max(o.outcome, o.rank) AS outcome,
           list_sort(list_distinct(list(f.rule))) AS rules
    FROM findings f
    JOIN k_outcome o ON o.outcome = coalesce(f.effect, 'payable')
    GROUP BY f.claim_id, f.line_number
)
SELECT l.*, coalesce(n.outcome, 'payable') AS outcome, coalesce(n.rules, []) AS rules
FROM line_code l
LEFT JOIN named n ON n.claim_id = l.claim_id AND n.line_number = l.line_number;
