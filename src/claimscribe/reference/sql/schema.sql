-- The codebook: every CMS/CDC table claimscribe reads, each row tied to the dataset (release) it came from.
-- Row-level effective_from/effective_to (inclusive; NULL = open) narrow a release's own range where the
-- data carries them (NCCI deletion dates, I/OCE version ranges).

CREATE TABLE dataset (
    dataset_id      VARCHAR PRIMARY KEY,
    family          VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    vintage         VARCHAR NOT NULL,
    effective_from  DATE NOT NULL,
    effective_to    DATE NOT NULL,
    complete        BOOLEAN NOT NULL,
    layout          VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    row_count       BIGINT NOT NULL,
    loaded_at       TIMESTAMP NOT NULL
);

CREATE TABLE pfs_rvu (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    modifier            VARCHAR NOT NULL,      -- '' for the global row
    description         VARCHAR,
    status_code         VARCHAR NOT NULL,
    work                DECIMAL(9, 2) NOT NULL,
    pe_nonfacility      DECIMAL(9, 2) NOT NULL,
    nonfacility_na      BOOLEAN NOT NULL,
    pe_facility         DECIMAL(9, 2) NOT NULL,
    facility_na         BOOLEAN NOT NULL,
    mp                  DECIMAL(9, 2) NOT NULL,
    total_nonfacility   DECIMAL(9, 2) NOT NULL,
    total_facility      DECIMAL(9, 2) NOT NULL,
    pctc_indicator      VARCHAR NOT NULL,
    global_days         VARCHAR NOT NULL,
    pre_op              DECIMAL(7, 4),
    intra_op            DECIMAL(7, 4),
    post_op             DECIMAL(7, 4),
    mult_proc           VARCHAR NOT NULL,
    bilat_surg          VARCHAR NOT NULL,
    asst_surg           VARCHAR NOT NULL,
    co_surg             VARCHAR NOT NULL,
    team_surg           VARCHAR NOT NULL,
    endo_base           VARCHAR,
    conversion_factor   DECIMAL(10, 4) NOT NULL,
    physician_supervision VARCHAR,
    calculation_flag    VARCHAR,
    diagnostic_imaging_family VARCHAR,
    opps_pe_nonfacility DECIMAL(9, 2),
    opps_pe_facility    DECIMAL(9, 2),
    opps_mp             DECIMAL(9, 2)
);

CREATE TABLE gpci (
    dataset_id          VARCHAR NOT NULL,
    mac                 VARCHAR NOT NULL,
    state               VARCHAR,
    locality_number     VARCHAR NOT NULL,
    locality_name       VARCHAR NOT NULL,
    work                DECIMAL(6, 3) NOT NULL,   -- with the 1.0 work floor where the file gives both
    work_without_floor  DECIMAL(6, 3),
    pe                  DECIMAL(6, 3) NOT NULL,
    mp                  DECIMAL(6, 3) NOT NULL
);

CREATE TABLE locality (
    dataset_id          VARCHAR NOT NULL,
    mac                 VARCHAR NOT NULL,
    locality_number     VARCHAR NOT NULL,
    state               VARCHAR,
    fee_schedule_area   VARCHAR,
    counties            VARCHAR
);

CREATE TABLE anesthesia_cf (
    dataset_id          VARCHAR NOT NULL,
    mac                 VARCHAR NOT NULL,
    locality_number     VARCHAR NOT NULL,
    locality_name       VARCHAR,
    conversion_factor   DECIMAL(8, 2) NOT NULL
);

CREATE TABLE opps_cap (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    modifier            VARCHAR NOT NULL,
    status_code         VARCHAR,
    mac                 VARCHAR NOT NULL,
    locality_number     VARCHAR NOT NULL,
    facility_price      DECIMAL(12, 2) NOT NULL,
    nonfacility_price   DECIMAL(12, 2) NOT NULL
);

CREATE TABLE ptp (
    dataset_id          VARCHAR NOT NULL,
    column1             VARCHAR NOT NULL,
    column2             VARCHAR NOT NULL,
    modifier_indicator  VARCHAR NOT NULL,      -- '0' not allowed, '1' allowed, '9' not applicable
    effective_from      DATE,
    effective_to        DATE,                  -- the NCCI deletion date (last day in force); NULL = active
    rationale           VARCHAR
);

CREATE TABLE mue (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    mue_units           INTEGER NOT NULL,
    mai                 VARCHAR NOT NULL,      -- '1' line, '2' date of service (policy), '3' date of service (clinical)
    rationale           VARCHAR
);

CREATE TABLE addon_edit (
    dataset_id          VARCHAR NOT NULL,
    add_on_code         VARCHAR NOT NULL,
    primary_code        VARCHAR NOT NULL,      -- 'CCCCC' = any primary the contractor accepts (type 2)
    edit_type           VARCHAR NOT NULL
);

CREATE TABLE opps_hcpcs (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    short_descriptor    VARCHAR,
    status_indicator    VARCHAR NOT NULL,
    apc                 VARCHAR,
    payment_indicator   VARCHAR,
    separate_procedure  BOOLEAN,
    bilateral_conditional BOOLEAN,
    bilateral_independent BOOLEAN,
    bilateral_inherent  BOOLEAN,
    addon_type1         BOOLEAN,
    addon_type2         BOOLEAN,
    addon_type3         BOOLEAN,
    effective_from      DATE,
    effective_to        DATE
);

CREATE TABLE opps_apc_rate (
    dataset_id          VARCHAR NOT NULL,
    apc                 VARCHAR NOT NULL,
    status_indicator    VARCHAR,
    payment_rate        DECIMAL(12, 2),
    effective_from      DATE,
    effective_to        DATE
);

CREATE TABLE asc_rate (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    short_descriptor    VARCHAR,
    payment_indicator   VARCHAR NOT NULL,
    multiple_procedure_discount BOOLEAN,
    payment_weight      DECIMAL(12, 4),
    payment_rate        DECIMAL(12, 2)
);

CREATE TABLE hcpcs_level2 (
    dataset_id          VARCHAR NOT NULL,
    hcpcs               VARCHAR NOT NULL,
    short_descriptor    VARCHAR,
    long_descriptor     VARCHAR,
    coverage            VARCHAR,
    betos               VARCHAR,
    type_of_service     VARCHAR,
    date_added          DATE,
    date_terminated     DATE
);

CREATE TABLE icd10cm (
    dataset_id          VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,      -- with the dot, as printed (M23.211)
    code_nodot          VARCHAR NOT NULL,      -- as billed on a claim (M23211)
    description         VARCHAR,
    billable            BOOLEAN NOT NULL,
    chapter             VARCHAR,
    category            VARCHAR
);

CREATE TABLE icd10cm_history (
    dataset_id          VARCHAR NOT NULL,
    code_nodot          VARCHAR NOT NULL,
    description         VARCHAR,
    sex                 VARCHAR,               -- F / M where the file carries sex limits (empty in the mirror)
    lo_age              INTEGER,               -- I/OCE age range in years (diagnosis/age edit); NULL = 0
    hi_age              INTEGER,
    manifestation       BOOLEAN,               -- "in diseases classified elsewhere": never first-listed
    unacceptable_pdx    BOOLEAN,               -- unacceptable as principal (first-listed) diagnosis
    effective_from      DATE,
    effective_to        DATE
);

-- The tabular's instructional notes (reference/importers/icd10cm_notes.py): each under its entry (`code`:
-- a code with its dot, a section id such as M50-M54, or a chapter number) and governing the codes whose
-- nodot prefix is in scope_from..scope_to.
CREATE TABLE icd10cm_note (
    dataset_id          VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,
    level               VARCHAR NOT NULL,      -- chapter | section | code
    scope_from          VARCHAR NOT NULL,
    scope_to            VARCHAR NOT NULL,
    kind                VARCHAR NOT NULL,      -- includes, inclusion_term, excludes1, excludes2, code_first,
                                               -- use_additional_code, code_also, seventh_character_note, note
    seq                 INTEGER NOT NULL,      -- order of the note under its entry
    text                VARCHAR NOT NULL
);

-- The codes a note names in parentheses, as nodot prefix ranges (ref_with: the characters after the
-- category a "E08-E13 with .52" reference requires).
CREATE TABLE icd10cm_note_ref (
    dataset_id          VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,
    level               VARCHAR NOT NULL,
    seq                 INTEGER NOT NULL,
    kind                VARCHAR NOT NULL,
    scope_from          VARCHAR NOT NULL,
    scope_to            VARCHAR NOT NULL,
    ref_from            VARCHAR NOT NULL,
    ref_to              VARCHAR NOT NULL,
    ref_with            VARCHAR
);

-- Seventh characters defined at a code (with its dot) for it and the codes below it.
CREATE TABLE icd10cm_seventh (
    dataset_id          VARCHAR NOT NULL,
    code                VARCHAR NOT NULL,
    code_nodot          VARCHAR NOT NULL,
    char                VARCHAR NOT NULL,
    description         VARCHAR NOT NULL
);

-- Chapters and sections (blocks of categories) of the tabular, for the hierarchy of a code.
CREATE TABLE icd10cm_block (
    dataset_id          VARCHAR NOT NULL,
    level               VARCHAR NOT NULL,      -- chapter | section
    id                  VARCHAR NOT NULL,      -- chapter number or section id
    first_code          VARCHAR NOT NULL,
    last_code           VARCHAR NOT NULL,
    description         VARCHAR NOT NULL,
    chapter             VARCHAR NOT NULL
);

CREATE TABLE modifier (
    dataset_id          VARCHAR NOT NULL,
    modifier            VARCHAR NOT NULL,
    modifier_type       VARCHAR,
    category            VARCHAR,
    description         VARCHAR
);
