/* config
{
  "materialized": "incremental",
  "sources": ["trends"],
  "strategy": "merge",
  "unique_key": ["keyword", "point_date"],
  "update_when": "S.run_id >= T.run_id",
  "description": "Validated Google Trends interest, one row per keyword and period holding the newest run's value. Every run re-reads its whole time range, so the newest run's values share one scale.",
  "partition_by": "point_date",
  "cluster_by": ["keyword"],
  "merge_lookback_days": 2000,
  "columns": [
    {"name": "keyword", "type": "STRING", "description": "search term"},
    {"name": "point_date", "type": "DATE", "description": "start of the period (KST date)"},
    {"name": "point_time", "type": "TIMESTAMP", "description": "start of the period (UTC)"},
    {"name": "resolution", "type": "STRING", "description": "HOUR, DAY or WEEK"},
    {"name": "interest", "type": "FLOAT64", "description": "interest on the common scale: percent of the anchor's mean level over the request's window; NULL when the batch could not be rescaled"},
    {"name": "interest_raw", "type": "INT64", "description": "Google's 0-100 value within its own request; NULL when Google had no data"},
    {"name": "has_data", "type": "BOOL", "description": "Google's hasData flag"},
    {"name": "is_partial", "type": "BOOL", "description": "true for an incomplete period; its value will still change"},
    {"name": "anchor", "type": "STRING", "description": "the anchor term of the scale"},
    {"name": "is_anchor", "type": "BOOL", "description": "true for the anchor's own series"},
    {"name": "anchor_mean", "type": "FLOAT64", "description": "the anchor's mean raw value in the request that produced the row"},
    {"name": "time_range", "type": "STRING", "description": "the request's time range"},
    {"name": "geo", "type": "STRING", "description": "the request's region"},
    {"name": "run_id", "type": "STRING", "description": "collect run of the value"},
    {"name": "page", "type": "INT64", "description": "raw page (batch) of the value"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["keyword", "point_date", "anchor", "run_id"]},
    {"type": "unique", "columns": ["keyword", "point_date"]}
  ]
}
*/
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
FROM {{ ref "staging.google_trends_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NULL
-- The anchor is in every batch: keep its series from the first one. A keyword appears
-- twice only when the same period came back in two batches; the first one wins too.
QUALIFY ROW_NUMBER() OVER (PARTITION BY keyword, point_date ORDER BY page, point_time) = 1
