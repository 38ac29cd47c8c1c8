CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.google_trend_rejected` (
  run_id STRING OPTIONS (description = "collect run of the row"),
  page INT64 OPTIONS (description = "raw page (batch) of the row"),
  keyword STRING OPTIONS (description = "search term, when known"),
  point_time TIMESTAMP OPTIONS (description = "start of the period, when known"),
  interest_raw INT64 OPTIONS (description = "Google's value, when known"),
  reason STRING OPTIONS (description = "the row-level rule the row broke"),
  rejected_at TIMESTAMP OPTIONS (description = "when the run was processed")
)
PARTITION BY DATE(rejected_at)
CLUSTER BY run_id
OPTIONS (description = "Trend points that failed a row-level rule, with the reason, one set per run (re-processing a run replaces its rows).");

ALTER TABLE `my-project.jobpulse_external.google_trend_rejected`
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "collect run of the row"),
  ADD COLUMN IF NOT EXISTS page INT64 OPTIONS (description = "raw page (batch) of the row"),
  ADD COLUMN IF NOT EXISTS keyword STRING OPTIONS (description = "search term, when known"),
  ADD COLUMN IF NOT EXISTS point_time TIMESTAMP OPTIONS (description = "start of the period, when known"),
  ADD COLUMN IF NOT EXISTS interest_raw INT64 OPTIONS (description = "Google's value, when known"),
  ADD COLUMN IF NOT EXISTS reason STRING OPTIONS (description = "the row-level rule the row broke"),
  ADD COLUMN IF NOT EXISTS rejected_at TIMESTAMP OPTIONS (description = "when the run was processed");

DELETE FROM `my-project.jobpulse_external.google_trend_rejected` WHERE run_id = @run_id;

INSERT INTO `my-project.jobpulse_external.google_trend_rejected` (run_id, page, keyword, point_time, interest_raw, reason, rejected_at)
SELECT run_id, page, keyword, point_time, interest_raw, reason, rejected_at FROM (
SELECT
  run_id,
  page,
  keyword,
  point_time,
  interest_raw,
  reject_reason AS reason,
  @processed_at AS rejected_at
FROM `my-project.jobpulse_staging.google_trends_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NOT NULL
) AS s;
