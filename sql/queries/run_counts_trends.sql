-- Row counts of one Google Trends run across the layers, for the run summary and the
-- ledger. A "posting" here is a keyword-period point.
WITH batch AS (
  SELECT keyword, point_date, reject_reason
  FROM {{ ref "staging.google_trends_validated" }}
  WHERE run = {{ param "run_id" }}
    AND dt = {{ param "dt" }}
),
valid AS (
  SELECT DISTINCT keyword, point_date FROM batch WHERE reject_reason IS NULL
)
SELECT
  (SELECT COUNT(*) FROM batch) AS staging_rows,
  (SELECT COUNT(*)
     FROM valid AS b
     JOIN {{ ref "external.google_trend_points" }} AS e ON e.keyword = b.keyword AND e.point_date = b.point_date) AS external_upserts,
  (SELECT COUNT(*) FROM {{ ref "external.google_trend_rejected" }} WHERE run_id = {{ param "run_id" }}) AS rejected_rows,
  (SELECT COUNT(*) FROM batch WHERE reject_reason IS NULL) - (SELECT COUNT(*) FROM valid) AS duplicate_rows,
  (SELECT COUNT(*) FROM {{ ref "external.google_trend_points" }}) AS external_rows,
  (SELECT COUNT(*) FROM {{ ref "core.google_trend" }}) AS core_rows
