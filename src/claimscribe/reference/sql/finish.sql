-- After every dataset is in: order the big tables by their lookup keys so that DuckDB's min/max zone
-- maps skip most of the file for a lookup by code, and index the point lookups.
CREATE TABLE ptp_sorted AS SELECT * FROM ptp ORDER BY dataset_id, column1, column2;
DROP TABLE ptp;
ALTER TABLE ptp_sorted RENAME TO ptp;
CREATE TABLE icd10cm_history_sorted AS SELECT * FROM icd10cm_history ORDER BY code_nodot, effective_from;
DROP TABLE icd10cm_history;
ALTER TABLE icd10cm_history_sorted RENAME TO icd10cm_history;
