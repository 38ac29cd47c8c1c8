CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.google_trend_points` (
  keyword STRING OPTIONS (description = "search term"),
  point_date DATE OPTIONS (description = "start of the period (KST date)"),
  point_time TIMESTAMP OPTIONS (description = "start of the period (UTC)"),
  resolution STRING OPTIONS (description = "HOUR, DAY or WEEK"),
  interest FLOAT64 OPTIONS (description = "interest on the common scale: percent of the anchor's mean level over the request's window; NULL when the batch could not be rescaled"),
  interest_raw INT64 OPTIONS (description = "Google's 0-100 value within its own request; NULL when Google had no data"),
  has_data BOOL OPTIONS (description = "Google's hasData flag"),
  is_partial BOOL OPTIONS (description = "true for an incomplete period; its value will still change"),
  anchor STRING OPTIONS (description = "the anchor term of the scale"),
  is_anchor BOOL OPTIONS (description = "true for the anchor's own series"),
  anchor_mean FLOAT64 OPTIONS (description = "the anchor's mean raw value in the request that produced the row"),
  time_range STRING OPTIONS (description = "the request's time range"),
  geo STRING OPTIONS (description = "the request's region"),
  run_id STRING OPTIONS (description = "collect run of the value"),
  page INT64 OPTIONS (description = "raw page (batch) of the value")
)
PARTITION BY point_date
CLUSTER BY keyword
OPTIONS (description = "Validated Google Trends interest, one row per keyword and period holding the newest run's value. Every run re-reads its whole time range, so the newest run's values share one scale.");

ALTER TABLE `my-project.jobpulse_external.google_trend_points`
  ADD COLUMN IF NOT EXISTS keyword STRING OPTIONS (description = "search term"),
  ADD COLUMN IF NOT EXISTS point_date DATE OPTIONS (description = "start of the period (KST date)"),
  ADD COLUMN IF NOT EXISTS point_time TIMESTAMP OPTIONS (description = "start of the period (UTC)"),
  ADD COLUMN IF NOT EXISTS resolution STRING OPTIONS (description = "HOUR, DAY or WEEK"),
  ADD COLUMN IF NOT EXISTS interest FLOAT64 OPTIONS (description = "interest on the common scale: percent of the anchor's mean level over the request's window; NULL when the batch could not be rescaled"),
  ADD COLUMN IF NOT EXISTS interest_raw INT64 OPTIONS (description = "Google's 0-100 value within its own request; NULL when Google had no data"),
  ADD COLUMN IF NOT EXISTS has_data BOOL OPTIONS (description = "Google's hasData flag"),
  ADD COLUMN IF NOT EXISTS is_partial BOOL OPTIONS (description = "true for an incomplete period; its value will still change"),
  ADD COLUMN IF NOT EXISTS anchor STRING OPTIONS (description = "the anchor term of the scale"),
  ADD COLUMN IF NOT EXISTS is_anchor BOOL OPTIONS (description = "true for the anchor's own series"),
  ADD COLUMN IF NOT EXISTS anchor_mean FLOAT64 OPTIONS (description = "the anchor's mean raw value in the request that produced the row"),
  ADD COLUMN IF NOT EXISTS time_range STRING OPTIONS (description = "the request's time range"),
  ADD COLUMN IF NOT EXISTS geo STRING OPTIONS (description = "the request's region"),
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "collect run of the value"),
  ADD COLUMN IF NOT EXISTS page INT64 OPTIONS (description = "raw page (batch) of the value");

MERGE INTO `my-project.jobpulse_external.google_trend_points` AS T
USING (
SELECT
  keyword,
  point_date,
  point_time,
  resolution,
  interest,
  interest_raw,
  has_data,
  is_partial,
  anchor,
  is_anchor,
  anchor_mean,
  time_range,
  geo,
  run_id,
  page
FROM `my-project.jobpulse_staging.google_trends_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NULL
-- The anchor is in every batch: keep its series from the first one. A keyword appears
-- twice only when the same period came back in two batches; the first one wins too.
QUALIFY ROW_NUMBER() OVER (PARTITION BY keyword, point_date ORDER BY page, point_time) = 1
) AS S
ON T.keyword = S.keyword AND T.point_date = S.point_date AND T.point_date >= @merge_since
WHEN MATCHED AND (S.run_id >= T.run_id) THEN
  UPDATE SET keyword = S.keyword, point_date = S.point_date, point_time = S.point_time, resolution = S.resolution, interest = S.interest, interest_raw = S.interest_raw, has_data = S.has_data, is_partial = S.is_partial, anchor = S.anchor, is_anchor = S.is_anchor, anchor_mean = S.anchor_mean, time_range = S.time_range, geo = S.geo, run_id = S.run_id, page = S.page
WHEN NOT MATCHED THEN
  INSERT (keyword, point_date, point_time, resolution, interest, interest_raw, has_data, is_partial, anchor, is_anchor, anchor_mean, time_range, geo, run_id, page)
  VALUES (S.keyword, S.point_date, S.point_time, S.resolution, S.interest, S.interest_raw, S.has_data, S.is_partial, S.anchor, S.is_anchor, S.anchor_mean, S.time_range, S.geo, S.run_id, S.page);
