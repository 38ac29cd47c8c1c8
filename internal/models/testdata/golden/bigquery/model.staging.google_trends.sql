CREATE OR REPLACE EXTERNAL TABLE `my-project.jobpulse_staging.google_trends` (
  run_id STRING,
  page INT64,
  batch_terms ARRAY<STRING>,
  keyword STRING,
  anchor STRING,
  is_anchor BOOL,
  point_time TIMESTAMP,
  point_date DATE,
  resolution STRING,
  interest_raw INT64,
  has_data BOOL,
  is_partial BOOL,
  interest FLOAT64,
  anchor_mean FLOAT64,
  time_range STRING,
  geo STRING,
  rescale_error STRING,
  parse_errors ARRAY<STRING>
)
WITH PARTITION COLUMNS (dt DATE, run STRING)
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  uris = ["gs://my-lake/jobpulse/clean/google_trends/*.ndjson"],
  hive_partition_uri_prefix = "gs://my-lake/jobpulse/clean/google_trends",
  require_hive_partition_filter = false,
  description = "Clean Google Trends points as normalized into the lake (clean/google_trends/dt=…/run=…/*.ndjson): one row per term and period of each batch, rescaled through the anchor; nothing is copied. Partition columns dt (run date) and run (run id)."
);
