/* config
{
  "materialized": "incremental",
  "sources": ["qnet"],
  "strategy": "delete_insert",
  "delete_by": "run_id",
  "description": "Certification rows that failed a row-level rule, with the reason, one set per run (re-processing a run replaces its rows).",
  "partition_by": "DATE(rejected_at)",
  "cluster_by": ["run_id"],
  "columns": [
    {"name": "run_id", "type": "STRING", "description": "collect run of the row"},
    {"name": "page", "type": "INT64", "description": "raw page of the row"},
    {"name": "exam_code", "type": "STRING", "description": "exam code, when known"},
    {"name": "stage", "type": "STRING", "description": "stage, when known"},
    {"name": "year", "type": "INT64", "description": "exam year, when known"},
    {"name": "applicants", "type": "INT64", "description": "applicants, when known"},
    {"name": "passers", "type": "INT64", "description": "passers, when known"},
    {"name": "reason", "type": "STRING", "description": "the row-level rule the row broke"},
    {"name": "rejected_at", "type": "TIMESTAMP", "description": "when the run was processed"}
  ]
}
*/
SELECT
  run_id,
  page,
  exam_code,
  stage,
  year,
  applicants,
  passers,
  reject_reason AS reason,
  {{ param "processed_at" }} AS rejected_at
FROM {{ ref "staging.certifications_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NOT NULL
