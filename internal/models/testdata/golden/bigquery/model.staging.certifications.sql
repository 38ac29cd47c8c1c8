CREATE OR REPLACE EXTERNAL TABLE `my-project.jobpulse_staging.certifications` (
  run_id STRING,
  page INT64,
  exam_code STRING,
  exam_name STRING,
  stage STRING,
  year INT64,
  base_year INT64,
  applicants INT64,
  passers INT64,
  pass_rate FLOAT64,
  parse_errors ARRAY<STRING>
)
WITH PARTITION COLUMNS (dt DATE, run STRING)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ["gs://my-lake/jobpulse/clean/certifications/*.ndjson"],
  hive_partition_uri_prefix = "gs://my-lake/jobpulse/clean/certifications",
  require_hive_partition_filter = false,
  description = "Clean Q-Net yearly exam statistics as normalized into the lake (clean/certifications/dt=…/run=…/*.ndjson): one row per exam, stage and year of each response's five-year window; nothing is copied. Partition columns dt (run date) and run (run id)."
);
