CREATE TABLE IF NOT EXISTS `my-project.jobpulse_meta.pipeline_runs` (
  run_id STRING OPTIONS (description = "run id, e.g. 20261121T103000Z-saramin-3f9a1c"),
  source STRING OPTIONS (description = "source collected (saramin)"),
  status STRING OPTIONS (description = "success | failed | no_new_postings | quota_exhausted"),
  step_failed STRING OPTIONS (description = "collect, normalize, staging, external or core when the run failed"),
  error STRING OPTIONS (description = "short error message of a failed run (never secrets)"),
  started_at TIMESTAMP OPTIONS (description = "when the run started"),
  finished_at TIMESTAMP OPTIONS (description = "when the run finished"),
  duration_ms INT64 OPTIONS (description = "wall time of the run in milliseconds"),
  demo BOOL OPTIONS (description = "true when the data came from the synthetic demo source"),
  window_from TIMESTAMP OPTIONS (description = "start of the collected posting window"),
  window_to TIMESTAMP OPTIONS (description = "end of the collected posting window"),
  pages INT64 OPTIONS (description = "raw pages landed"),
  api_calls INT64 OPTIONS (description = "API requests made, retries included"),
  raw_records INT64 OPTIONS (description = "job records in the raw pages"),
  distinct_ids INT64 OPTIONS (description = "distinct posting ids in the raw pages"),
  quarantined_pages INT64 OPTIONS (description = "raw pages the normalizer could not parse"),
  staging_rows INT64 OPTIONS (description = "staging rows of the run"),
  external_upserts INT64 OPTIONS (description = "distinct valid postings of the run present in external.saramin_postings"),
  rejected_rows INT64 OPTIONS (description = "rows of the run rejected by row-level rules"),
  duplicate_rows INT64 OPTIONS (description = "in-batch duplicates of the run (older versions of the same id)"),
  core_rows INT64 OPTIONS (description = "rows in core.recruit after the run"),
  checks_passed INT64 OPTIONS (description = "checks that passed"),
  checks_warned INT64 OPTIONS (description = "warn-severity checks that failed"),
  checks_failed INT64 OPTIONS (description = "error-severity checks that failed (errored, timed out or found violations)"),
  bytes_processed INT64 OPTIONS (description = "bytes processed by warehouse jobs (BigQuery billing)"),
  recorded_at TIMESTAMP OPTIONS (description = "when this row was written")
)
PARTITION BY DATE(started_at)
CLUSTER BY source, status
OPTIONS (description = "The run ledger: one row per run and source, whatever its outcome.");
