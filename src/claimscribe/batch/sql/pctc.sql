-- PCTC (edits/pctc.py), professional claims: 26 and TC together, or a component the PC/TC indicator does
-- not allow → the invalid-modifier effect; a splitting code billed globally from a facility place of
-- service → the facility effect.

INSERT INTO findings
WITH m AS (
    SELECT max(modifier) FILTER (WHERE set_name = 'professional') AS pc,
           max(modifier) FILTER (WHERE set_name = 'technical') AS tc
    FROM k_modifier
),
judged AS (
    SELECT l.claim_id, l.line_number,
           list_contains(l.modifiers, m.pc) AS has_pc, list_contains(l.modifiers, m.tc) AS has_tc,
           k.professional, k.technical, k.facility_review,
           coalesce(pos.facility, false) AS facility
    FROM line_code l
    CROSS JOIN m
    JOIN k_pctc k ON k.indicator = l.pctc_indicator
    LEFT JOIN k_pos pos ON pos.pos = l.place_of_service
    WHERE l.claim_type = 'professional' AND l.known AND l.pfs_dataset IS NOT NULL
)
SELECT claim_id, line_number, 'PCTC',
       CASE WHEN has_pc OR has_tc THEN (SELECT value FROM k_param WHERE name = 'pctc_invalid_effect')
            ELSE (SELECT value FROM k_param WHERE name = 'pctc_facility_effect') END
FROM judged
WHERE (has_pc AND has_tc)
   OR (has_pc AND NOT professional)
   OR (has_tc AND NOT technical)
   OR (NOT has_pc AND NOT has_tc AND facility_review AND facility);
