-- FREQUENCY (edits/frequency.py): a patient's sessions of each limit's codes per region in the article's
-- window, set-based over every line of the file (the file is the claims given together), by the line file's
-- patient_id and contractor columns; a line without either is not counted, as per claim.

-- Sessions past a limit: each (patient, limit, region, date) with the number of distinct session dates in the
-- window ending on it (a self-join on the patient's sessions, which are few); lines on a date past the limit
-- get the limit's effect.
INSERT INTO findings
WITH lc AS (
    SELECT l.claim_id, l.line_number, l.dos, l.code, l.modifiers,
           l.patient_id AS patient, l.contractor AS contractor_number
    FROM lines l
),
counted AS (
    SELECT lc.claim_id, lc.line_number, lc.patient, lc.dos, k.article, k.limit_number, k.region, k.sessions,
           k.window_days, k.effect
    FROM lc
    JOIN k_frequency_limit k ON k.code = lc.code AND k.contractor = lc.contractor_number
    WHERE lc.patient IS NOT NULL
      AND (k.with_modifier IS NULL OR list_contains(lc.modifiers, k.with_modifier))
      AND (k.without_modifier IS NULL OR NOT list_contains(lc.modifiers, k.without_modifier))
),
sessions AS (
    SELECT DISTINCT patient, article, limit_number, region, dos, sessions, window_days, effect FROM counted
),
windowed AS (
    SELECT a.patient, a.article, a.limit_number, a.region, a.dos, a.sessions, a.effect, count(*) AS in_window
    FROM sessions a
    JOIN sessions b
      ON b.patient = a.patient AND b.article = a.article AND b.limit_number = a.limit_number
     AND b.region = a.region AND b.dos <= a.dos AND date_diff('day', b.dos, a.dos) < a.window_days
    GROUP BY a.patient, a.article, a.limit_number, a.region, a.dos, a.sessions, a.effect
)
SELECT DISTINCT c.claim_id, c.line_number, 'FREQUENCY', w.effect
FROM counted c
JOIN windowed w
  ON w.patient = c.patient AND w.article = c.article AND w.limit_number = c.limit_number
 AND w.region = c.region AND w.dos = c.dos
WHERE w.in_window > w.sessions;

-- Prerequisites: a target line (radiofrequency ablation) needs `needed` earlier dates of the region's block
-- lines (with their modifier), or one earlier date of an `earlier` code in the region; else review.
INSERT INTO findings
WITH lc AS (
    SELECT l.claim_id, l.line_number, l.dos, l.code, l.modifiers,
           l.patient_id AS patient, l.contractor AS contractor_number
    FROM lines l
),
roles AS (
    SELECT lc.claim_id, lc.line_number, lc.patient, lc.dos, k.article, k.prereq_number, k.role, k.region,
           k.needed
    FROM lc
    JOIN k_frequency_prereq k ON k.code = lc.code AND k.contractor = lc.contractor_number
    WHERE lc.patient IS NOT NULL AND (k.modifier IS NULL OR list_contains(lc.modifiers, k.modifier))
),
met AS (
    SELECT t.claim_id, t.line_number,
           count(DISTINCT CASE WHEN p.role = 'block' THEN p.dos END) AS blocks,
           count(DISTINCT CASE WHEN p.role = 'earlier' THEN p.dos END) AS earlier,
           max(t.needed) AS needed
    FROM roles t
    LEFT JOIN roles p
      ON p.patient = t.patient AND p.article = t.article AND p.prereq_number = t.prereq_number
     AND p.region = t.region AND p.dos < t.dos AND p.role IN ('block', 'earlier')
    WHERE t.role = 'target'
    GROUP BY t.claim_id, t.line_number
)
SELECT claim_id, line_number, 'FREQUENCY', 'review'
FROM met
WHERE blocks < needed AND earlier = 0;
