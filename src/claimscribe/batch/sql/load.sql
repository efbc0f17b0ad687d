-- Load the input into `lines` and `rejects`: every input row ends in exactly one of them.
-- `{source}` is the input relation the engine fills in, numbered by `input_row` in file order.

CREATE OR REPLACE TEMP VIEW raw AS
SELECT input_row, TRY_CAST(source_line AS BIGINT) AS source_line,
       trim(coalesce(CAST(claim_id AS VARCHAR), '')) AS claim_id,
       trim(coalesce(CAST(line_number AS VARCHAR), '')) AS line_number_text,
       trim(coalesce(CAST(date_of_service AS VARCHAR), '')) AS date_text,
       upper(trim(coalesce(CAST(code AS VARCHAR), ''))) AS code,
       upper(trim(coalesce(CAST(modifiers AS VARCHAR), ''))) AS modifiers_text,
       trim(coalesce(CAST(units AS VARCHAR), '')) AS units_text,
       nullif(trim(coalesce(CAST(place_of_service AS VARCHAR), '')), '') AS place_of_service,
       lower(coalesce(nullif(trim(CAST(claim_type AS VARCHAR)), ''), 'professional')) AS claim_type,
       nullif(trim(coalesce(CAST(provider_id AS VARCHAR), '')), '') AS provider_id,
       upper(trim(coalesce(CAST(diagnoses AS VARCHAR), ''))) AS diagnoses_text,
       trim(coalesce(CAST(diagnosis_pointers AS VARCHAR), '')) AS pointers_text,
       nullif(trim(coalesce(CAST(patient_id AS VARCHAR), '')), '') AS patient_id,
       upper(trim(coalesce(CAST(patient_sex AS VARCHAR), ''))) AS sex_text,
       trim(coalesce(CAST(patient_birth_date AS VARCHAR), '')) AS birth_text,
       nullif(trim(coalesce(CAST(contractor AS VARCHAR), '')), '') AS contractor,
       nullif(trim(coalesce(CAST(source_error AS VARCHAR), '')), '') AS source_error
FROM {source};

CREATE OR REPLACE TEMP VIEW parsed AS
SELECT r.*,
       CASE WHEN regexp_matches(line_number_text, '^(?:[0-9]{1,9})$') THEN CAST(line_number_text AS INTEGER) END
           AS line_number,
       -- Year 0000 does not exist (DuckDB would read it as 1 BC).
       CASE WHEN regexp_matches(date_text, '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})$') AND NOT starts_with(date_text, '0000')
            THEN TRY_CAST(date_text AS DATE) END AS dos,
       list_filter(string_split_regex(modifiers_text, '[\s,;|]+'), lambda m: m <> '') AS modifiers,
       CASE WHEN regexp_matches(units_text, '^(?:[0-9]{1,9})$') THEN CAST(units_text AS INTEGER) END AS units,
       -- Claim-level cells, normalised so that lines of one claim compare equal when they mean the same.
       nullif(array_to_string(list_filter(string_split_regex(diagnoses_text, '[\s,;|]+'), lambda d: d <> ''), '|'), '')
           AS diagnoses_key,
       list_filter(string_split_regex(regexp_replace(pointers_text, '[\[\]]', '', 'g'), '[\s,;|]+'), lambda p: p <> '')
           AS pointer_words,
       CASE sex_text WHEN '' THEN NULL WHEN 'F' THEN 'F' WHEN 'FEMALE' THEN 'F' WHEN 'M' THEN 'M' WHEN 'MALE' THEN 'M'
                     WHEN 'U' THEN 'U' WHEN 'UNKNOWN' THEN 'U' END AS patient_sex,
       CASE WHEN regexp_matches(birth_text, '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})$') AND NOT starts_with(birth_text, '0000')
            THEN TRY_CAST(birth_text AS DATE) END AS patient_birth_date
FROM raw r;

CREATE OR REPLACE TEMP TABLE parsed_checked AS
SELECT p.*,
       CASE
           WHEN source_error IS NOT NULL THEN source_error
           WHEN claim_id = '' THEN 'empty claim id'
           WHEN line_number IS NULL OR line_number < 1
               THEN 'line number ''' || line_number_text || ''' is not a positive whole number'
           WHEN dos IS NULL THEN 'date of service ''' || date_text || ''' is not a valid date (YYYY-MM-DD)'
           WHEN code = '' THEN 'empty code'
           WHEN NOT regexp_matches(code, '^(?:[0-9A-Z][0-9]{3}[0-9A-Z])$')
               THEN 'code ''' || code || ''' is not a CPT/HCPCS code (five characters, e.g. 76000 or G0260)'
           WHEN units IS NULL OR units < 1 THEN 'units ''' || units_text || ''' is not a positive whole number'
           WHEN array_length(modifiers) > 4 THEN array_length(modifiers) || ' modifiers; a line carries at most 4'
           WHEN array_length(list_filter(modifiers, lambda m: NOT regexp_matches(m, '^(?:[0-9A-Z]{2})$'))) > 0
               THEN 'modifiers ''' || modifiers_text || ''' are not two-character modifiers'
           WHEN claim_type NOT IN ('professional', 'institutional')
               THEN 'claim type ''' || claim_type || ''' is not professional or institutional'
           WHEN place_of_service IS NOT NULL AND place_of_service NOT IN (SELECT pos FROM k_pos)
               THEN 'place of service ''' || place_of_service || ''' is not a known place of service code'
           WHEN array_length(list_filter(pointer_words, lambda p: NOT regexp_matches(p, '^(?:[0-9]{1,2})$'))) > 0
               THEN 'diagnosis pointers ''' || pointers_text || ''' are not whole numbers'
           WHEN sex_text <> '' AND patient_sex IS NULL THEN 'patient sex is not F, M or U'
           WHEN birth_text <> '' AND patient_birth_date IS NULL
               THEN 'patient birth date is not a valid date (YYYY-MM-DD)'
           WHEN patient_birth_date > dos THEN 'patient birth date is after the date of service'
           WHEN length(patient_id) > 80 THEN 'patient id is longer than 80 characters'
           WHEN contractor IS NOT NULL AND NOT regexp_matches(contractor, '^(?:[0-9]{5})$')
               THEN 'contractor ''' || contractor || ''' is not a five-digit MAC contract number'
       END AS reason
FROM parsed p;

-- The claim-level cells (diagnoses, patient): given on one line of a claim or repeated on several; lines
-- that give two different values make the whole claim a reject (as the per-claim CSV reader does).
CREATE OR REPLACE TEMP TABLE claim_cells AS
SELECT c.*,
       min(diagnoses_key) OVER claim_all IS DISTINCT FROM max(diagnoses_key) OVER claim_all
           OR min(patient_id) OVER claim_all IS DISTINCT FROM max(patient_id) OVER claim_all
           OR min(patient_sex) OVER claim_all IS DISTINCT FROM max(patient_sex) OVER claim_all
           OR min(patient_birth_date) OVER claim_all IS DISTINCT FROM max(patient_birth_date) OVER claim_all
           OR min(contractor) OVER claim_all IS DISTINCT FROM max(contractor) OVER claim_all
           AS cells_differ,
       max(diagnoses_key) OVER claim_all AS claim_diagnoses,
       max(patient_id) OVER claim_all AS claim_patient_id,
       max(patient_sex) OVER claim_all AS claim_patient_sex,
       max(patient_birth_date) OVER claim_all AS claim_patient_birth_date,
       max(contractor) OVER claim_all AS claim_contractor
FROM parsed_checked c
WHERE reason IS NULL
WINDOW claim_all AS (PARTITION BY claim_id);

-- One window over each claim's lines in line-number order finds the other claim-level problems: a line
-- number seen before (every repeat after the first), a claim type other than the first line's, and a
-- diagnosis pointer past the claim's diagnoses.
CREATE OR REPLACE TEMP TABLE claim_checked AS
SELECT c.*,
       CASE
           WHEN cells_differ
               THEN 'the lines of claim ' || claim_id || ' give different diagnoses or patient details'
           WHEN line_number = lag(line_number) OVER claim_order
               THEN 'duplicate line number ' || line_number || ' on claim ' || claim_id
           WHEN claim_type <> first_value(claim_type) OVER claim_order
               THEN 'claim type ' || claim_type || ' differs from the claim''s first line'
           WHEN array_length(list_filter(pointer_words, lambda p: CAST(p AS INTEGER) < 1
                    OR CAST(p AS INTEGER) > coalesce(array_length(string_split(claim_diagnoses, '|')), 0))) > 0
               THEN 'diagnosis pointers ''' || pointers_text || ''' name no diagnosis of the claim'
       END AS claim_reason
FROM claim_cells c
WINDOW claim_order AS (PARTITION BY claim_id ORDER BY line_number, input_row);

-- Line numbers are unique within a claim here, so they order and identify its lines (`line_index`).
CREATE OR REPLACE TEMP TABLE lines AS
SELECT input_row, claim_id, line_number, line_number AS line_index,
       dos, code, modifiers, units, place_of_service, claim_type, provider_id,
       list_transform(pointer_words, lambda p: CAST(p AS INTEGER)) AS diagnosis_pointers,
       claim_patient_id AS patient_id, claim_patient_sex AS patient_sex,
       claim_patient_birth_date AS patient_birth_date, claim_contractor AS contractor
FROM claim_checked
WHERE claim_reason IS NULL;

-- The diagnoses of every claim with lines, in claim order: upper case with the dot (M23.211), and without.
CREATE OR REPLACE TEMP TABLE claim_diagnosis AS
WITH claim_list AS (
    SELECT DISTINCT claim_id, claim_diagnoses
    FROM claim_checked
    WHERE claim_reason IS NULL AND claim_diagnoses IS NOT NULL
),
positions AS (  -- split_part and a series, not list indexing: both engines count from 1 alike
    SELECT claim_id, claim_diagnoses, CAST(g.p AS INTEGER) AS position
    FROM claim_list, unnest(generate_series(1, array_length(string_split(claim_diagnoses, '|')))) AS g(p)
),
each_code AS (
    SELECT claim_id, position, split_part(claim_diagnoses, '|', position) AS written,
           replace(split_part(claim_diagnoses, '|', position), '.', '') AS code_nodot
    FROM positions
)
SELECT claim_id, position,
       CASE WHEN regexp_matches(written, '^(?:[A-Z][0-9][0-9A-Z]\.?[0-9A-Z]{1,4})$')
            THEN substr(code_nodot, 1, 3) || '.' || substr(code_nodot, 4) ELSE written END AS code,
       code_nodot
FROM each_code;

-- The lines each diagnosis of a claim applies to: those that point to it, every line of the claim when none does
-- (the ICD-10-CM convention edits report a finding about a diagnosis on these lines).
CREATE OR REPLACE TEMP TABLE diagnosis_line AS
WITH line_pointer AS (SELECT DISTINCT claim_id, line_number, unnest(diagnosis_pointers) AS position FROM lines),
pointed AS (SELECT DISTINCT claim_id, position FROM line_pointer)
SELECT d.claim_id, d.position, lp.line_number
FROM claim_diagnosis d
JOIN line_pointer lp ON lp.claim_id = d.claim_id AND lp.position = d.position
UNION
SELECT d.claim_id, d.position, l.line_number
FROM claim_diagnosis d
JOIN lines l ON l.claim_id = d.claim_id
LEFT JOIN pointed pt ON pt.claim_id = d.claim_id AND pt.position = d.position
WHERE pt.claim_id IS NULL;

-- `source_line`: the row's line in the input file (a CSV's header is line 1), or its row number.
CREATE OR REPLACE TEMP TABLE rejects AS
SELECT input_row, source_line, claim_id, line_number_text AS line_number, date_text AS date_of_service, code,
       modifiers_text AS modifiers, units_text AS units, place_of_service, claim_type, provider_id, reason
FROM parsed_checked WHERE reason IS NOT NULL
UNION ALL
SELECT input_row, source_line, claim_id, line_number_text, date_text, code, modifiers_text, units_text,
       place_of_service, claim_type, provider_id, claim_reason
FROM claim_checked WHERE claim_reason IS NOT NULL;

-- Input rows counted from the input itself (every framed row), not derived from lines + rejects.
CREATE OR REPLACE TEMP TABLE input_count AS SELECT count(*) AS n FROM raw;

DROP VIEW raw;
DROP VIEW parsed;
DROP TABLE parsed_checked;
DROP TABLE claim_cells;
DROP TABLE claim_checked;

CREATE OR REPLACE TEMP TABLE findings (
    claim_id VARCHAR NOT NULL,
    line_number INTEGER NOT NULL,
    rule VARCHAR NOT NULL,
    effect VARCHAR              -- 'denied' | 'review' | NULL (information)
);
