-- NCCI-PTP (edits/ncci_ptp.py, rules of edits/distinct.py): a self-join of each claim's codes on the date of
-- service against the PTP table of the claim type (practitioner / outpatient hospital), release in force on
-- the date, rows whose effective range covers the date (past the release's end: its end). Indicator 9 →
-- nothing; 0 → column two denied. Indicator 1, in the order distinct.judge_pair decides:
--   an E/M line (k_em_range) of the pair carrying the E/M modifier its partner's global period accepts (57
--   with a major procedure, k_ptp_major_days; 25 otherwise) → bypassed (a finding without effect);
--   anatomic modifiers on both codes that differ (RT/LT not counted on a code whose bilateral indicator is
--   in k_ptp_sideless) → bypassed;
--   another associated modifier (59, X{EPSU}, 24, 58, ...) on either code → review: a batch line has no
--   documentation facts to show the distinct service;
--   else denied.

INSERT INTO findings
WITH sets AS (
    SELECT list(modifier) FILTER (WHERE set_name = 'ptp_other') AS other,
           list(modifier) FILTER (WHERE set_name = 'anatomic') AS anatomic,
           list(modifier) FILTER (WHERE set_name = 'ptp_anatomic_not_sides') AS anatomic_not_sides,
           list(modifier) FILTER (WHERE set_name = 'em_major') AS em_major,
           list(modifier) FILTER (WHERE set_name = 'em_minor') AS em_minor
    FROM k_modifier
),
day_code AS (
    SELECT l.claim_id, l.dos, l.claim_type, l.code, list_distinct(flatten(list(l.modifiers))) AS modifiers,
           any_value(l.global_days) AS global_days, any_value(l.bilat_surg) AS bilat_surg,
           EXISTS (
               SELECT 1 FROM k_em_range k
               WHERE regexp_matches(l.code, '^(?:[0-9]+)$') AND CAST(l.code AS INTEGER) BETWEEN k.first AND k.last
           ) AS em
    FROM line_code l
    GROUP BY l.claim_id, l.dos, l.claim_type, l.code
),
coded AS (
    SELECT d.*,
           coalesce(d.global_days IN (SELECT days FROM k_ptp_major_days), false) AS major,
           CASE WHEN coalesce(d.bilat_surg IN (SELECT indicator FROM k_ptp_sideless), false)
                THEN array_intersect(d.modifiers, sets.anatomic_not_sides)
                ELSE array_intersect(d.modifiers, sets.anatomic) END AS anatomic_mods,
           array_length(array_intersect(d.modifiers, sets.em_major)) > 0 AS has_major,
           array_length(array_intersect(d.modifiers, sets.em_minor)) > 0 AS has_minor
    FROM day_code d CROSS JOIN sets
),
pairs AS (
    SELECT a.claim_id, a.dos, b.code AS column2, p.modifier_indicator,
           a.modifiers AS first_mods, b.modifiers AS second_mods,
           a.anatomic_mods AS first_anatomic, b.anatomic_mods AS second_anatomic,
           (b.em AND NOT a.em AND ((a.major AND b.has_major) OR (NOT a.major AND b.has_minor)))
           OR (a.em AND NOT b.em AND ((b.major AND a.has_major) OR (NOT b.major AND a.has_minor))) AS em_bypass
    FROM coded a
    JOIN coded b ON b.claim_id = a.claim_id AND b.dos = a.dos AND b.code <> a.code
    JOIN k_ptp_table t ON t.claim_type = a.claim_type
    JOIN release r ON r.dos = a.dos AND r.family = t.family AND r.rank = 1
    JOIN cb.ptp p ON p.dataset_id = r.dataset_id AND p.column1 = a.code AND p.column2 = b.code
         AND (p.effective_from IS NULL OR p.effective_from <= r.row_date)
         AND (p.effective_to IS NULL OR p.effective_to >= r.row_date)
    WHERE p.modifier_indicator <> '9'
),
judged AS (
    SELECT claim_id, dos, column2,
           CASE
               WHEN modifier_indicator = '0' THEN 3
               WHEN em_bypass THEN 0
               WHEN array_length(first_anatomic) > 0 AND array_length(second_anatomic) > 0
                    AND list_sort(list_distinct(first_anatomic)) <> list_sort(list_distinct(second_anatomic))
                   THEN 0
               WHEN array_length(array_intersect(array_concat(first_mods, second_mods), sets.other)) > 0 THEN 1
               ELSE 2
           END AS rank
    FROM pairs CROSS JOIN sets
),
worst AS (
    SELECT claim_id, dos, column2, max(rank) AS rank FROM judged GROUP BY claim_id, dos, column2
)
SELECT l.claim_id, l.line_number, 'NCCI-PTP',
       CASE w.rank WHEN 0 THEN NULL WHEN 1 THEN 'review' ELSE 'denied' END
FROM worst w
JOIN lines l ON l.claim_id = w.claim_id AND l.dos = w.dos AND l.code = w.column2;
