-- Point lookups the Codebook runs. Each query is named by a `-- name:` line; parameters are $named.

-- name: datasets
SELECT dataset_id, family, title, vintage, effective_from, effective_to, complete, layout, source_file, row_count
FROM dataset ORDER BY family, effective_from;

-- name: rvu_rows
SELECT hcpcs, modifier, description, status_code, work, pe_nonfacility, nonfacility_na, pe_facility, facility_na,
       mp, total_nonfacility, total_facility, pctc_indicator, global_days, mult_proc, bilat_surg, asst_surg,
       co_surg, team_surg, endo_base, conversion_factor, physician_supervision, diagnostic_imaging_family,
       opps_pe_nonfacility, opps_pe_facility, opps_mp
FROM pfs_rvu WHERE dataset_id = $dataset_id AND hcpcs = $code;

-- name: conversion_factor
SELECT max(conversion_factor) FROM pfs_rvu WHERE dataset_id = $dataset_id;

-- name: gpci
SELECT g.mac, g.locality_number, g.locality_name, g.state, g.work, g.work_without_floor, g.pe, g.mp
FROM gpci g WHERE g.dataset_id = $dataset_id ORDER BY g.mac, g.locality_number;

-- name: ptp_pairs
SELECT column1, column2, modifier_indicator, effective_from, effective_to, rationale
FROM ptp
WHERE dataset_id = $dataset_id AND column1 IN (SELECT unnest($codes)) AND column2 IN (SELECT unnest($codes))
  AND column1 <> column2
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
ORDER BY column1, column2;

-- name: mue
SELECT mue_units, mai, rationale FROM mue WHERE dataset_id = $dataset_id AND hcpcs = $code;

-- name: addon_primaries
SELECT primary_code, edit_type FROM addon_edit WHERE dataset_id = $dataset_id AND add_on_code = $code
ORDER BY primary_code;

-- name: opps_hcpcs
SELECT status_indicator, apc, short_descriptor FROM opps_hcpcs
WHERE dataset_id = $dataset_id AND hcpcs = $code
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
ORDER BY effective_from DESC NULLS LAST LIMIT 1;

-- name: apc_rate
SELECT payment_rate FROM opps_apc_rate
WHERE dataset_id = $dataset_id AND apc = $apc
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
ORDER BY effective_from DESC NULLS LAST LIMIT 1;

-- name: asc_rate
SELECT payment_indicator, payment_rate, multiple_procedure_discount, short_descriptor FROM asc_rate
WHERE dataset_id = $dataset_id AND hcpcs = $code LIMIT 1;

-- name: hcpcs_level2
SELECT short_descriptor, long_descriptor, date_terminated FROM hcpcs_level2
WHERE dataset_id = $dataset_id AND hcpcs = $code LIMIT 1;

-- name: icd10cm_tabular
SELECT code, billable, description FROM icd10cm WHERE dataset_id = $dataset_id AND code_nodot = $code LIMIT 1;

-- name: icd10cm_history
SELECT description FROM icd10cm_history
WHERE dataset_id = $dataset_id AND code_nodot = $code
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
LIMIT 1;

-- name: modifiers
SELECT modifier, modifier_type, category, description FROM modifier WHERE dataset_id = $dataset_id
ORDER BY modifier;

-- name: search_codes
SELECT DISTINCT hcpcs, description FROM pfs_rvu
WHERE dataset_id = $dataset_id AND modifier = '' AND (hcpcs = upper($q) OR description ILIKE '%' || $q || '%')
ORDER BY hcpcs LIMIT $limit;
