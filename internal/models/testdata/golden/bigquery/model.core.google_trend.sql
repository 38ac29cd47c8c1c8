CREATE OR REPLACE TABLE `my-project.jobpulse_core.google_trend` (
  date DATE OPTIONS (description = "start of the period (KST): a day, or the Sunday a Google week starts on"),
  keyword STRING OPTIONS (description = "search term"),
  interest FLOAT64 OPTIONS (description = "interest on the common scale: 100 = the anchor's mean level over the window; comparable across keywords"),
  interest_raw INT64 OPTIONS (description = "Google's 0-100 value within its own request (not comparable across batches)"),
  is_partial BOOL OPTIONS (description = "true for an incomplete period: its value will still change"),
  anchor STRING OPTIONS (description = "the anchor term of the scale"),
  has_data BOOL OPTIONS (description = "false when Google had no data for the keyword and period"),
  resolution STRING OPTIONS (description = "HOUR, DAY or WEEK"),
  keyword_kind STRING OPTIONS (description = "anchor, role or skill (meta.trend_keywords); NULL for a keyword configured outside the seed"),
  role STRING OPTIONS (description = "the role the keyword measures; NULL for the anchor and unmapped keywords"),
  language STRING OPTIONS (description = "ko or en"),
  run_id STRING OPTIONS (description = "collect run of the value")
)
PARTITION BY date
CLUSTER BY keyword, role
OPTIONS (description = "Google Trends search interest in Korea per keyword and period, on one scale across batches: interest is the percent of the anchor term's mean level over the request's window (see docs/architecture.md, Trends rescaling). Partial periods are kept and flagged.")
AS
SELECT
  p.point_date AS date,
  p.keyword,
  p.interest,
  p.interest_raw,
  p.is_partial,
  p.anchor,
  p.has_data,
  p.resolution,
  k.kind AS keyword_kind,
  k.role,
  k.language,
  p.run_id
FROM `my-project.jobpulse_external.google_trend_points` AS p
LEFT JOIN `my-project.jobpulse_meta.trend_keywords` AS k ON k.keyword = p.keyword;
