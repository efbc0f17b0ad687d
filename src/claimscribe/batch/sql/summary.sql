-- The outputs: one row per line, the findings, and lines and dollars at risk per rule, code and provider.

CREATE OR REPLACE TEMP TABLE line_output AS
SELECT v.input_row, v.claim_id, v.line_number, v.dos AS date_of_service, v.code,
       array_to_string(v.modifiers, ' ') AS modifiers, v.units, v.place_of_service, v.claim_type, v.provider_id,
       v.outcome,
       CASE WHEN v.outcome = 'payable' THEN coalesce(p.potential, 0.00) END AS allowed,
       CASE WHEN v.outcome <> 'payable' THEN coalesce(p.potential, 0.00) ELSE 0.00 END AS at_risk,
       array_to_string(v.rules, ' ') AS rules
FROM line_verdict v
LEFT JOIN line_price p ON p.claim_id = v.claim_id AND p.line_number = v.line_number;

CREATE OR REPLACE TEMP TABLE findings_output AS
SELECT claim_id, line_number, rule, coalesce(effect, 'info') AS effect,
       CASE effect WHEN 'denied' THEN 'error' WHEN 'review' THEN 'warning' ELSE 'info' END AS severity
FROM findings;

CREATE OR REPLACE TEMP TABLE summary AS
WITH by_rule AS (
    SELECT DISTINCT f.rule, f.claim_id, f.line_number
    FROM findings f WHERE f.effect IS NOT NULL
)
SELECT 'rule' AS dimension, r.rule AS key, count(*) AS lines,
       count(*) FILTER (WHERE o.outcome = 'denied') AS lines_denied,
       count(*) FILTER (WHERE o.outcome = 'review') AS lines_review,
       sum(o.at_risk) AS dollars_at_risk
FROM by_rule r JOIN line_output o ON o.claim_id = r.claim_id AND o.line_number = r.line_number
GROUP BY r.rule
UNION ALL
SELECT 'code', code, count(*), count(*) FILTER (WHERE outcome = 'denied'),
       count(*) FILTER (WHERE outcome = 'review'), sum(at_risk)
FROM line_output WHERE outcome <> 'payable' GROUP BY code
UNION ALL
SELECT 'provider', coalesce(provider_id, ''), count(*), count(*) FILTER (WHERE outcome = 'denied'),
       count(*) FILTER (WHERE outcome = 'review'), sum(at_risk)
FROM line_output WHERE outcome <> 'payable' GROUP BY provider_id;
