WITH history AS (
  SELECT COUNT(*) AS runs, AVG(raw_records) AS avg_records
  FROM `my-project.jobpulse_meta.pipeline_runs`
  WHERE source = @source
    AND status = 'success'
    AND run_id != @run_id
    AND started_at >= @trailing_since
)
SELECT
  @raw_records AS raw_records,
  runs,
  avg_records,
  runs < 3 OR @raw_records >= 0.2 * avg_records AS ok
FROM history;
