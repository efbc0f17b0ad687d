-- DOC (edits/documentation.py) for a claim without documentation facts, which every batch line is: one
-- informational DOC-<code> finding per line whose code has documentation elements that apply to it
-- (always; global: neither 26 nor TC; modifier:XX).

INSERT INTO findings
SELECT l.claim_id, l.line_number, 'DOC-' || l.code, NULL
FROM lines l
WHERE EXISTS (
    SELECT 1 FROM k_doc d
    WHERE d.code = l.code
      AND (d.applies_when = 'always'
           OR (d.applies_when = 'global'
               AND array_length(array_intersect(l.modifiers,
                   (SELECT list(modifier) FROM k_modifier WHERE set_name = 'doc_component'))) = 0)
           OR (d.applies_when LIKE 'modifier:%' AND list_contains(l.modifiers, substr(d.applies_when, 10))))
);
