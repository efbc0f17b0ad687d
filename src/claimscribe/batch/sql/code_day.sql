-- What the codebook says about each distinct (code, date of service), as Codebook.code() would:
-- the PFS release that has the code (the release in force, falling back from a partial release to the
-- newest complete one that has it: Codebook.rvu_rows), the global row's status, PC/TC, bilateral and
-- global-period indicators, and whether any dataset (PFS, OPPS/I-OCE, ASC AA/BB, HCPCS) knows the code.

CREATE OR REPLACE TEMP TABLE code_day AS
WITH cd AS (SELECT DISTINCT code, dos FROM lines),
pfs AS (
    SELECT cd.code, cd.dos, r.dataset_id
    FROM cd
    JOIN release r ON r.dos = cd.dos AND r.family = 'pfs_rvu'
    WHERE (r.rank = 1 OR NOT r.best_complete)
      AND EXISTS (SELECT 1 FROM cb.pfs_rvu p WHERE p.dataset_id = r.dataset_id AND p.hcpcs = cd.code)
    QUALIFY row_number() OVER (PARTITION BY cd.code, cd.dos ORDER BY r.rank) = 1
),
opps AS (
    SELECT DISTINCT cd.code, cd.dos
    FROM cd
    JOIN release r ON r.dos = cd.dos AND r.family = 'opps_hcpcs' AND r.rank = 1
    JOIN cb.opps_hcpcs o ON o.dataset_id = r.dataset_id AND o.hcpcs = cd.code
         AND (o.effective_from IS NULL OR o.effective_from <= r.row_date)
         AND (o.effective_to IS NULL OR o.effective_to >= r.row_date)
),
asc_code AS (
    SELECT DISTINCT cd.code, cd.dos
    FROM cd
    JOIN release r ON r.dos = cd.dos AND r.family IN ('asc', 'asc_ancillary') AND r.rank = 1
    JOIN cb.asc_rate a ON a.dataset_id = r.dataset_id AND a.hcpcs = cd.code
),
hcpcs AS (
    SELECT DISTINCT cd.code, cd.dos
    FROM cd
    JOIN release r ON r.dos = cd.dos AND r.family IN ('hcpcs_short', 'hcpcs_annual') AND r.rank = 1
    JOIN cb.hcpcs_level2 h ON h.dataset_id = r.dataset_id AND h.hcpcs = cd.code
         AND (h.short_descriptor IS NOT NULL OR h.long_descriptor IS NOT NULL)
)
SELECT cd.code, cd.dos, pfs.dataset_id AS pfs_dataset,
       g.status_code, g.pctc_indicator, g.bilat_surg, g.global_days,
       (pfs.dataset_id IS NOT NULL OR opps.code IS NOT NULL OR asc_code.code IS NOT NULL
        OR hcpcs.code IS NOT NULL) AS known
FROM cd
LEFT JOIN pfs ON pfs.code = cd.code AND pfs.dos = cd.dos
LEFT JOIN cb.pfs_rvu g ON g.dataset_id = pfs.dataset_id AND g.hcpcs = cd.code AND g.modifier = ''
LEFT JOIN opps ON opps.code = cd.code AND opps.dos = cd.dos
LEFT JOIN asc_code ON asc_code.code = cd.code AND asc_code.dos = cd.dos
LEFT JOIN hcpcs ON hcpcs.code = cd.code AND hcpcs.dos = cd.dos;

-- The claim's lines joined to what the codebook says about their code on their date.
CREATE OR REPLACE TEMP TABLE line_code AS
SELECT l.*, c.pfs_dataset, c.status_code, c.pctc_indicator, c.bilat_surg, c.global_days, c.known
FROM lines l JOIN code_day c ON c.code = l.code AND c.dos = l.dos;
