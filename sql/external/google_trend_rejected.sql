/* config
{
  "materialized": "incremental",
  "sources": ["trends"],
  "strategy": "delete_insert",
  "delete_by": "run_id",
  "description": "Trend points that failed a row-level rule, with the reason, one set per run (re-processing a run replaces its rows).",
  "partition_by": "DATE(rejected_at)",
  "cluster_by": ["run_id"],
  "columns": [
    {"name": "run_id", "type": "STRING", "description": "collect run of the row"},
    {"name": "page", "type": "INT64", "description": "raw page (batch) of the row"},
    {"name": "keyword", "type": "STRING", "description": "search term, when known"},
    {"name": "point_time", "type": "TIMESTAMP", "description": "start of the period, when known"},
    {"name": "interest_raw", "type": "INT64", "description": "Google's value, when known"},
    {"name": "reason", "type": "STRING", "description": "the row-level rule the row broke"},
    {"name": "rejected_at", "type": "TIMESTAMP", "description": "when the run was processed"}
  ]
}
*/
SELECT
  run_id,
  page,
  keyword,
  point_time,
  interest_raw,
  reject_reason AS reason,
  {{ param "processed_at" }} AS rejected_at
FROM {{ ref "staging.google_trends_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NOT NULL
