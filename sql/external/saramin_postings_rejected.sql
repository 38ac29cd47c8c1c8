/* config
{
  "materialized": "incremental",
  "sources": ["saramin"],
  "strategy": "delete_insert",
  "delete_by": "run_id",
  "description": "Rows that failed a row-level rule, with the reason and the raw job, one set per run (re-processing a run replaces its rows).",
  "partition_by": "DATE(rejected_at)",
  "cluster_by": ["run_id"],
  "columns": [
    {"name": "run_id", "type": "STRING", "description": "run whose raw pages held the row"},
    {"name": "page", "type": "INT64", "description": "raw page number within the run"},
    {"name": "row_in_page", "type": "INT64", "description": "position of the job in its page"},
    {"name": "posting_id", "type": "STRING", "description": "posting id when there was one"},
    {"name": "reason", "type": "STRING", "description": "the row-level rule the row broke"},
    {"name": "raw_json", "type": "STRING", "description": "the raw job object, for diagnosis and replay"},
    {"name": "rejected_at", "type": "TIMESTAMP", "description": "when the run was processed"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["run_id", "reason", "raw_json"]}
  ]
}
*/
SELECT
  run_id,
  page,
  row_in_page,
  posting_id,
  reject_reason AS reason,
  raw_json,
  {{ param "processed_at" }} AS rejected_at
FROM {{ ref "staging.saramin_postings_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NOT NULL
