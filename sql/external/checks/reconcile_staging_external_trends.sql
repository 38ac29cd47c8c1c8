/* config
{
  "kind": "assert",
  "severity": "error",
  "model": "google_trend_points",
  "description": "staging rows of the run = points upserted into or already newer in external + rejected rows + in-batch duplicates (the anchor's series repeated in every batch)"
}
*/
WITH batch AS (
  SELECT keyword, point_date, reject_reason
  FROM {{ ref "staging.google_trends_validated" }}
  WHERE run = {{ param "run_id" }}
    AND dt = {{ param "dt" }}
),
counts AS (
  SELECT
    COUNT(*) AS staging_rows,
    COUNTIF(reject_reason IS NOT NULL) AS invalid_rows,
    COUNT(DISTINCT IF(reject_reason IS NULL, CONCAT(keyword, '|', CAST(point_date AS STRING)), NULL)) AS distinct_valid
  FROM batch
),
rejects AS (
  SELECT COUNT(*) AS rejected_rows
  FROM {{ ref "external.google_trend_rejected" }}
  WHERE run_id = {{ param "run_id" }}
),
upserts AS (
  -- Keys of the run now in external (replaced by this run, or held by a newer one).
  SELECT COUNT(DISTINCT CONCAT(b.keyword, '|', CAST(b.point_date AS STRING))) AS upserted
  FROM batch AS b
  JOIN {{ ref "external.google_trend_points" }} AS e
    ON e.keyword = b.keyword AND e.point_date = b.point_date
  WHERE b.reject_reason IS NULL
)
SELECT
  c.staging_rows,
  u.upserted,
  r.rejected_rows,
  c.staging_rows - c.invalid_rows - c.distinct_valid AS duplicates,
  c.distinct_valid = u.upserted
    AND c.staging_rows = u.upserted + r.rejected_rows + (c.staging_rows - c.invalid_rows - c.distinct_valid) AS ok
FROM counts AS c
CROSS JOIN rejects AS r
CROSS JOIN upserts AS u
