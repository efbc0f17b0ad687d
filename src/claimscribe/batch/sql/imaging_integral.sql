-- IMAGING-INTEGRAL (edits/imaging_integral.py): a fluoroscopy line billed on the date with a surgical
-- procedure (CPT Surgery range, or a 000/010/090 global period on the date) that IMAGING-INCLUDED does not
-- own → information when a known exception covers the pair and none of its not_with codes is billed that
-- day; otherwise review when the line carries a distinct-service modifier (a batch line has no facts to
-- show the distinct service), else denied.

INSERT INTO findings
WITH img AS (
    SELECT l.* FROM lines l WHERE l.code IN (SELECT code FROM k_integral_imaging)
),
surgical AS (
    SELECT l.claim_id, l.dos, l.code, l.line_index
    FROM line_code l
    WHERE l.code NOT IN (SELECT code FROM k_integral_imaging)
      AND ((regexp_matches(l.code, '^(?:[0-9]+)$')
            AND CAST(l.code AS INTEGER) BETWEEN (SELECT first FROM k_surgical_range)
                                            AND (SELECT last FROM k_surgical_range))
           OR (l.known AND l.global_days IN (SELECT days FROM k_surgical_days)))
),
procedures AS (
    SELECT i.claim_id, i.line_number, i.dos, i.code AS imaging, s.code AS procedure
    FROM img i
    JOIN surgical s ON s.claim_id = i.claim_id AND s.dos = i.dos
    WHERE NOT EXISTS (
        SELECT 1 FROM k_included k
        WHERE k.procedure = s.code AND k.guidance = i.code
          AND (k.start_date IS NULL OR k.start_date <= i.dos) AND (k.end_date IS NULL OR i.dos <= k.end_date)
    )
),
excepted AS (
    SELECT DISTINCT p.claim_id, p.line_number
    FROM procedures p
    JOIN k_integral_exception e ON e.code = p.procedure AND e.imaging = p.imaging
    WHERE NOT EXISTS (
        SELECT 1 FROM k_exception_not_with n
        JOIN lines b ON b.claim_id = p.claim_id AND b.dos = p.dos AND b.code = n.code
        WHERE n.exception_id = e.exception_id
    )
),
judged AS (SELECT DISTINCT claim_id, line_number FROM procedures)
SELECT j.claim_id, j.line_number, 'IMAGING-INTEGRAL',
       CASE
           WHEN x.line_number IS NOT NULL THEN NULL
           WHEN array_length(array_intersect(i.modifiers, (SELECT list(modifier) FROM k_modifier WHERE set_name = 'distinct')))
                > 0 THEN 'review'
           ELSE 'denied'
       END
FROM judged j
JOIN img i ON i.claim_id = j.claim_id AND i.line_number = j.line_number
LEFT JOIN excepted x ON x.claim_id = j.claim_id AND x.line_number = j.line_number;
