-- Point lookups the Codebook runs. Each query is named by a `-- name:` line; parameters are $named.

-- name: datasets
SELECT dataset_id, family, title, vintage, effective_from, effective_to, complete, layout, source_file, row_count
FROM dataset ORDER BY family, effective_from;

-- name: conversion_factor
SELECT max(conversion_factor) FROM pfs_rvu WHERE dataset_id = $dataset_id;

-- name: gpci
SELECT g.mac, g.locality_number, g.locality_name, g.state, g.work, g.work_without_floor, g.pe, g.mp
FROM gpci g WHERE g.dataset_id = $dataset_id ORDER BY g.mac, g.locality_number;

-- name: icd10cm_tabular
SELECT code, billable, description FROM icd10cm WHERE dataset_id = $dataset_id AND code_nodot = $code LIMIT 1;

-- name: icd10cm_billable
SELECT code, description FROM icd10cm WHERE dataset_id = $dataset_id AND billable ORDER BY code;

-- name: icd10cm_history
SELECT description FROM icd10cm_history
WHERE dataset_id = $dataset_id AND code_nodot = $code
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
LIMIT 1;

-- name: icd10cm_limits
SELECT description, sex, lo_age, hi_age, manifestation, unacceptable_pdx, effective_from, effective_to
FROM icd10cm_history
WHERE dataset_id = $dataset_id AND code_nodot = $code
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
ORDER BY effective_from DESC NULLS LAST LIMIT 1;

-- name: icd10cm_history_rows
SELECT description, sex, lo_age, hi_age, manifestation, unacceptable_pdx, effective_from, effective_to
FROM icd10cm_history WHERE dataset_id = $dataset_id AND code_nodot = $code
ORDER BY effective_from NULLS FIRST;

-- name: icd10cm_notes_for
SELECT code, level, seq, scope_from, kind, text FROM icd10cm_note
WHERE dataset_id = $dataset_id
  AND left($code, length(scope_from)) >= scope_from AND left($code, length(scope_to)) <= scope_to;

-- name: icd10cm_refs_for
SELECT code, level, seq, ref_from, ref_to, ref_with FROM icd10cm_note_ref
WHERE dataset_id = $dataset_id
  AND left($code, length(scope_from)) >= scope_from AND left($code, length(scope_to)) <= scope_to;

-- name: icd10cm_excludes1
WITH dx AS (SELECT unnest($codes::VARCHAR[]) AS code)
SELECT a.code, b.code, r.code, n.text
FROM icd10cm_note_ref r
JOIN icd10cm_note n ON n.dataset_id = r.dataset_id AND n.level = r.level AND n.code = r.code AND n.seq = r.seq
JOIN dx a ON left(a.code, length(r.scope_from)) >= r.scope_from AND left(a.code, length(r.scope_to)) <= r.scope_to
JOIN dx b ON left(b.code, length(r.ref_from)) >= r.ref_from AND left(b.code, length(r.ref_to)) <= r.ref_to
WHERE r.dataset_id = $dataset_id AND r.kind = 'excludes1' AND a.code <> b.code
  AND (r.ref_with IS NULL OR substr(b.code, 4, length(r.ref_with)) = r.ref_with)
ORDER BY list_position($codes::VARCHAR[], a.code), list_position($codes::VARCHAR[], b.code),
         CASE r.level WHEN 'code' THEN 0 WHEN 'section' THEN 1 ELSE 2 END, r.seq;

-- name: icd10cm_seventh_for
SELECT code, code_nodot, char, description FROM icd10cm_seventh
WHERE dataset_id = $dataset_id AND starts_with($code, code_nodot)
ORDER BY char;

-- name: icd10cm_ancestors
SELECT code, code_nodot, description, billable FROM icd10cm
WHERE dataset_id = $dataset_id AND list_contains($codes::VARCHAR[], code_nodot);

-- name: icd10cm_blocks_for
SELECT level, id, description FROM icd10cm_block
WHERE dataset_id = $dataset_id
  AND left($code, length(first_code)) >= first_code AND left($code, length(last_code)) <= last_code;

-- name: icd10cm_codes_under
SELECT code, code_nodot, description, billable FROM icd10cm
WHERE dataset_id = $dataset_id AND starts_with(code_nodot, $prefix) ORDER BY code_nodot LIMIT $limit;

-- name: icd10cm_search
SELECT code, description, billable FROM icd10cm
WHERE dataset_id = $dataset_id AND (code_nodot = $nodot OR starts_with(code_nodot, $nodot) OR description ILIKE '%' || $q || '%')
ORDER BY code_nodot <> $nodot, NOT starts_with(code_nodot, $nodot), length(code_nodot), code_nodot LIMIT $limit;

-- name: modifiers
SELECT modifier, modifier_type, category, description FROM modifier WHERE dataset_id = $dataset_id
ORDER BY modifier;

-- name: search_codes
SELECT DISTINCT hcpcs, description FROM pfs_rvu
WHERE dataset_id = $dataset_id AND modifier = '' AND (hcpcs = upper($q) OR description ILIKE '%' || $q || '%')
ORDER BY hcpcs LIMIT $limit;

-- Whole-release reads for the in-memory indexes of the small tables (a few thousand rows each).

-- name: all_rvu_rows
SELECT hcpcs, modifier, description, status_code, work, pe_nonfacility, nonfacility_na, pe_facility, facility_na,
       mp, total_nonfacility, total_facility, pctc_indicator, global_days, mult_proc, bilat_surg, asst_surg,
       co_surg, team_surg, endo_base, conversion_factor, physician_supervision, diagnostic_imaging_family,
       opps_pe_nonfacility, opps_pe_facility, opps_mp
FROM pfs_rvu WHERE dataset_id = $dataset_id;

-- name: all_mue
SELECT hcpcs, mue_units, mai, rationale FROM mue WHERE dataset_id = $dataset_id;

-- name: all_addon_primaries
SELECT add_on_code, primary_code, edit_type FROM addon_edit WHERE dataset_id = $dataset_id ORDER BY primary_code;

-- name: all_opps_hcpcs
SELECT hcpcs, status_indicator, apc, short_descriptor, effective_from, effective_to FROM opps_hcpcs
WHERE dataset_id = $dataset_id ORDER BY effective_from DESC NULLS LAST;

-- name: all_apc_rate
SELECT apc, payment_rate, effective_from, effective_to FROM opps_apc_rate
WHERE dataset_id = $dataset_id ORDER BY effective_from DESC NULLS LAST;

-- name: all_asc_rate
SELECT hcpcs, payment_indicator, payment_rate, multiple_procedure_discount, short_descriptor FROM asc_rate
WHERE dataset_id = $dataset_id;

-- name: all_hcpcs_level2
SELECT hcpcs, short_descriptor, long_descriptor, date_terminated FROM hcpcs_level2 WHERE dataset_id = $dataset_id;


-- name: ptp_index_codes
SELECT code FROM (SELECT column1 AS code FROM ptp WHERE dataset_id = $dataset_id
                  UNION SELECT column2 FROM ptp WHERE dataset_id = $dataset_id) ORDER BY code;

-- name: ptp_index_rationales
SELECT DISTINCT coalesce(rationale, '') AS rationale FROM ptp WHERE dataset_id = $dataset_id ORDER BY 1;

-- name: ptp_index_rows
WITH codes AS (
    SELECT code, CAST(row_number() OVER (ORDER BY code) - 1 AS BIGINT) AS id
    FROM (SELECT column1 AS code FROM ptp WHERE dataset_id = $dataset_id
          UNION SELECT column2 FROM ptp WHERE dataset_id = $dataset_id)
), rationales AS (
    SELECT rationale, CAST(row_number() OVER (ORDER BY rationale) - 1 AS SMALLINT) AS id
    FROM (SELECT DISTINCT coalesce(rationale, '') AS rationale FROM ptp WHERE dataset_id = $dataset_id)
)
SELECT a.id * $stride + b.id AS pair_key,
       CAST(p.modifier_indicator AS TINYINT) AS modifier_indicator,
       coalesce(CAST(p.effective_from - DATE '1970-01-01' AS INTEGER), -2147483648) AS start_day,
       coalesce(CAST(p.effective_to - DATE '1970-01-01' AS INTEGER), 2147483647) AS end_day,
       r.id AS rationale_id
FROM ptp p
JOIN codes a ON a.code = p.column1
JOIN codes b ON b.code = p.column2
JOIN rationales r ON r.rationale = coalesce(p.rationale, '')
WHERE p.dataset_id = $dataset_id
ORDER BY pair_key;

-- name: ptp_partners
SELECT column1, column2, modifier_indicator, effective_from, effective_to, rationale FROM ptp
WHERE dataset_id = $dataset_id AND (column1 = $code OR column2 = $code)
  AND (effective_from IS NULL OR effective_from <= $on) AND (effective_to IS NULL OR effective_to >= $on)
ORDER BY column1, column2;
