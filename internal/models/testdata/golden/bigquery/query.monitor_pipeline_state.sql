-- The pipeline as jobpulse-monitor sees it: one row per source in the ledger with its
-- newest run, the failing error-severity checks of that run, when a run of the source
-- last worked (success and no_new_postings both mean the pipeline works) and the newest
-- failed run (it names the alert series, so a later success resolves the same series).
-- One query per tick: BigQuery bills at least 10 MB per query, however small the ledger.
WITH ordered AS (
  SELECT
    source, run_id, status, step_failed, error, started_at, finished_at,
    ROW_NUMBER() OVER (PARTITION BY source ORDER BY started_at DESC, run_id DESC) AS position
  FROM `my-project.jobpulse_meta.pipeline_runs`
),
latest AS (
  SELECT source, run_id, status, started_at, finished_at FROM ordered WHERE position = 1
),
latest_failed AS (
  SELECT source, run_id, step_failed, error
  FROM (
    SELECT
      source, run_id, step_failed, error,
      ROW_NUMBER() OVER (PARTITION BY source ORDER BY started_at DESC, run_id DESC) AS position
    FROM ordered
    WHERE status = @failed_status
  )
  WHERE position = 1
),
worked AS (
  SELECT source, MAX(finished_at) AS last_success_at
  FROM ordered
  WHERE status IN UNNEST(@working_statuses)
  GROUP BY source
),
failing_checks AS (
  SELECT c.run_id, COUNT(*) AS failed_error_checks
  FROM `my-project.jobpulse_meta.check_results` AS c
  JOIN latest AS l ON l.run_id = c.run_id
  WHERE c.severity = @error_severity
    AND c.status != @pass_status
  GROUP BY c.run_id
)
SELECT
  l.source,
  l.run_id,
  l.status,
  l.started_at,
  l.finished_at,
  w.last_success_at,
  COALESCE(fc.failed_error_checks, 0) AS failed_error_checks,
  f.run_id AS failed_run_id,
  f.step_failed AS failed_step,
  f.error AS failed_error
FROM latest AS l
LEFT JOIN worked AS w ON w.source = l.source
LEFT JOIN latest_failed AS f ON f.source = l.source
LEFT JOIN failing_checks AS fc ON fc.run_id = l.run_id
ORDER BY l.source;
