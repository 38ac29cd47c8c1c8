/* config
{
  "materialized": "table",
  "description": "Google Trends search interest in Korea per keyword and period, on one scale across batches: interest is the percent of the anchor term's mean level over the request's window (see docs/architecture.md, Trends rescaling). Partial periods are kept and flagged.",
  "partition_by": "date",
  "cluster_by": ["keyword", "role"],
  "columns": [
    {"name": "date", "type": "DATE", "description": "start of the period (KST): a day, or the Sunday a Google week starts on"},
    {"name": "keyword", "type": "STRING", "description": "search term"},
    {"name": "interest", "type": "FLOAT64", "description": "interest on the common scale: 100 = the anchor's mean level over the window; comparable across keywords"},
    {"name": "interest_raw", "type": "INT64", "description": "Google's 0-100 value within its own request (not comparable across batches)"},
    {"name": "is_partial", "type": "BOOL", "description": "true for an incomplete period: its value will still change"},
    {"name": "anchor", "type": "STRING", "description": "the anchor term of the scale"},
    {"name": "has_data", "type": "BOOL", "description": "false when Google had no data for the keyword and period"},
    {"name": "resolution", "type": "STRING", "description": "HOUR, DAY or WEEK"},
    {"name": "keyword_kind", "type": "STRING", "description": "anchor, role or skill (meta.trend_keywords); NULL for a keyword configured outside the seed"},
    {"name": "role", "type": "STRING", "description": "the role the keyword measures; NULL for the anchor and unmapped keywords"},
    {"name": "language", "type": "STRING", "description": "ko or en"},
    {"name": "run_id", "type": "STRING", "description": "collect run of the value"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["date", "keyword", "anchor", "is_partial"]},
    {"type": "unique", "columns": ["date", "keyword"]}
  ]
}
*/
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
FROM {{ ref "external.google_trend_points" }} AS p
LEFT JOIN {{ ref "meta.trend_keywords" }} AS k ON k.keyword = p.keyword
