-- IMAGING-INCLUDED (edits/imaging_included.py): a guidance line billed on the date with another line
-- whose code's family entry (in force on the date) includes that guidance → the guidance line denied;
-- otherwise, a "without imaging" counterpart code on the date → information naming both lines.

INSERT INTO findings
WITH g AS (
    SELECT l.* FROM lines l WHERE l.code IN (SELECT code FROM k_guidance)
),
denied AS (
    SELECT DISTINCT g.claim_id, g.line_number
    FROM g
    JOIN lines p ON p.claim_id = g.claim_id AND p.dos = g.dos AND p.line_index <> g.line_index
    JOIN k_included k ON k.procedure = p.code AND k.guidance = g.code
         AND (k.start_date IS NULL OR k.start_date <= g.dos) AND (k.end_date IS NULL OR g.dos <= k.end_date)
),
suggested AS (
    SELECT g.claim_id, g.line_number AS guidance_line, p.line_number AS other_line
    FROM g
    JOIN lines p ON p.claim_id = g.claim_id AND p.dos = g.dos AND p.line_index <> g.line_index
    JOIN k_counterpart c ON c.code = p.code AND c.guidance = g.code
    WHERE NOT EXISTS (
        SELECT 1 FROM denied d WHERE d.claim_id = g.claim_id AND d.line_number = g.line_number
    )
)
SELECT claim_id, line_number, 'IMAGING-INCLUDED', 'denied' FROM denied
UNION ALL
SELECT claim_id, guidance_line, 'IMAGING-INCLUDED', NULL FROM suggested
UNION ALL
SELECT claim_id, other_line, 'IMAGING-INCLUDED', NULL FROM suggested;
