-- Pricing, national (a claim line file carries no locality). Every line gets the amount it would be
-- paid (`potential`); payable lines are allowed it, denied and review lines put it at risk.
-- Professional (PFS): the 26/TC row when the line carries that modifier and the code has it, else the
-- global row, of the PFS release the code was found in; (work + PE + MP) x the conversion factor of the
-- release in force on the date x units, facility PE for a facility place of service (and where the
-- non-facility PE is NA), rounded half-up to the cent. No global row → 0.00, as the per-claim engine.
-- NOT applied here (the per-claim engine's price_pfs_lines does): status-code rules, bilateral 150%,
-- multiple-procedure ranking and endoscopy base, imaging MPPR, surgical-role modifiers, OPPS cap.
-- Institutional (OPPS): the APC national rate of the code's status indicator row x units; packaging,
-- discounting and comprehensive-APC rules are not applied.

CREATE OR REPLACE TEMP TABLE line_price AS
WITH cf AS (
    SELECT r.dos, max(p.conversion_factor) AS cf
    FROM release r JOIN cb.pfs_rvu p ON p.dataset_id = r.dataset_id
    WHERE r.family = 'pfs_rvu' AND r.rank = 1
    GROUP BY r.dos
),
comp AS (
    SELECT max(modifier) FILTER (WHERE set_name = 'professional') AS pc,
           max(modifier) FILTER (WHERE set_name = 'technical') AS tc
    FROM k_modifier
),
professional AS (
    SELECT v.claim_id, v.line_number,
           CASE WHEN g.hcpcs IS NULL THEN 0.00
                ELSE round((coalesce(c.work, g.work)
                            + CASE WHEN coalesce(pos.facility, false) OR coalesce(c.nonfacility_na, g.nonfacility_na)
                                   THEN coalesce(c.pe_facility, g.pe_facility)
                                   ELSE coalesce(c.pe_nonfacility, g.pe_nonfacility) END
                            + coalesce(c.mp, g.mp)) * cf.cf * v.units, 2)
           END AS potential
    FROM line_verdict v
    CROSS JOIN comp
    LEFT JOIN cf ON cf.dos = v.dos
    LEFT JOIN k_pos pos ON pos.pos = coalesce(v.place_of_service,
                                              (SELECT value FROM k_param WHERE name = 'default_place_of_service'))
    LEFT JOIN cb.pfs_rvu g ON g.dataset_id = v.pfs_dataset AND g.hcpcs = v.code AND g.modifier = ''
    LEFT JOIN cb.pfs_rvu c ON c.dataset_id = v.pfs_dataset AND c.hcpcs = v.code AND g.hcpcs IS NOT NULL
         AND c.modifier = CASE WHEN list_contains(v.modifiers, comp.pc) THEN comp.pc
                               WHEN list_contains(v.modifiers, comp.tc) THEN comp.tc END
    WHERE v.claim_type = 'professional'
),
opps AS (
    SELECT v.claim_id, v.line_number, v.dos, v.units, o.apc
    FROM line_verdict v
    JOIN release r ON r.dos = v.dos AND r.family = 'opps_hcpcs' AND r.rank = 1
    LEFT JOIN cb.opps_hcpcs o ON o.dataset_id = r.dataset_id AND o.hcpcs = v.code
         AND (o.effective_from IS NULL OR o.effective_from <= r.row_date)
         AND (o.effective_to IS NULL OR o.effective_to >= r.row_date)
    WHERE v.claim_type = 'institutional'
    QUALIFY row_number() OVER (PARTITION BY v.claim_id, v.line_number ORDER BY o.effective_from DESC NULLS LAST) = 1
),
institutional AS (
    SELECT o.claim_id, o.line_number, round(coalesce(a.payment_rate, 0) * o.units, 2) AS potential
    FROM opps o
    LEFT JOIN release r ON r.dos = o.dos AND r.family = 'opps_apc_rate' AND r.rank = 1
    LEFT JOIN cb.opps_apc_rate a ON a.dataset_id = r.dataset_id AND a.apc = o.apc
         AND (a.effective_from IS NULL OR a.effective_from <= r.row_date)
         AND (a.effective_to IS NULL OR a.effective_to >= r.row_date)
    QUALIFY row_number() OVER (PARTITION BY o.claim_id, o.line_number ORDER BY a.effective_from DESC NULLS LAST) = 1
)
SELECT claim_id, line_number, CAST(potential AS DECIMAL(14, 2)) AS potential FROM professional
UNION ALL
SELECT claim_id, line_number, CAST(potential AS DECIMAL(14, 2)) FROM institutional;
