-- Row counts of one Google Trends run across the layers, for the run summary and the
-- ledger. A "posting" here is a keyword-period point.
WITH batch AS (
  SELECT keyword, point_date, reject_reason
  FROM `my-project.jobpulse_staging.google_trends_validated`
  WHERE run = @run_id
    AND dt = @dt
),
valid AS (
  SELECT DISTINCT keyword, point_date FROM batch WHERE reject_reason IS NULL
)
SELECT
  (SELECT COUNT(*) FROM batch) AS staging_rows,
  (SELECT COUNT(*)
     FROM valid AS b
     JOIN `my-project.jobpulse_external.google_trend_points` AS e ON e.keyword = b.keyword AND e.point_date = b.point_date) AS external_upserts,
  (SELECT COUNT(*) FROM `my-project.jobpulse_external.google_trend_rejected` WHERE run_id = @run_id) AS rejected_rows,
  (SELECT COUNT(*) FROM batch WHERE reject_reason IS NULL) - (SELECT COUNT(*) FROM valid) AS duplicate_rows,
  (SELECT COUNT(*) FROM `my-project.jobpulse_external.google_trend_points`) AS external_rows,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.google_trend`) AS core_rows;
