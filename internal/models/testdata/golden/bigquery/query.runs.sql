-- The latest runs in the ledger, newest first (jobpulse runs).
SELECT run_id, source, status, step_failed, started_at, duration_ms, pages, raw_records,
  staging_rows, external_upserts, rejected_rows, duplicate_rows, core_rows,
  checks_passed, checks_warned, checks_failed, bytes_processed, demo, error
FROM `my-project.jobpulse_meta.pipeline_runs`
ORDER BY started_at DESC, run_id DESC
LIMIT @max_runs;
