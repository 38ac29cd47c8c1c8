/* config
{
  "materialized": "incremental",
  "sources": ["qnet"],
  "strategy": "merge",
  "unique_key": ["exam_code", "stage", "year"],
  "update_when": "S.base_year > T.base_year OR (S.base_year = T.base_year AND S.run_id >= T.run_id)",
  "description": "Validated Q-Net exam statistics, one row per exam, stage and year, from the newest tally: a later base year wins, then the newest run.",
  "cluster_by": ["exam_code"],
  "columns": [
    {"name": "exam_code", "type": "STRING", "description": "Q-Net exam code (jmCd)"},
    {"name": "stage", "type": "STRING", "description": "written (필기) or practical (실기)"},
    {"name": "year", "type": "INT64", "description": "exam year"},
    {"name": "exam_name", "type": "STRING", "description": "exam name as Q-Net answered it"},
    {"name": "applicants", "type": "INT64", "description": "applicants; NULL when Q-Net had no count"},
    {"name": "passers", "type": "INT64", "description": "passers; NULL when Q-Net had no count"},
    {"name": "pass_rate", "type": "FLOAT64", "description": "passers / applicants"},
    {"name": "base_year", "type": "INT64", "description": "the baseYY of the response the row came from"},
    {"name": "run_id", "type": "STRING", "description": "collect run of the row"},
    {"name": "page", "type": "INT64", "description": "raw page of the row"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["exam_code", "stage", "year", "run_id"]},
    {"type": "unique", "columns": ["exam_code", "stage", "year"]},
    {"type": "accepted_values", "column": "stage", "values": ["written", "practical"]},
    {"type": "relationships", "column": "exam_code", "to": "meta.exams", "field": "exam_code", "severity": "warn"}
  ]
}
*/
SELECT
  exam_code,
  stage,
  year,
  exam_name,
  applicants,
  passers,
  pass_rate,
  base_year,
  run_id,
  page
FROM {{ ref "staging.certifications_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NULL
-- Overlapping five-year windows (baseYY and baseYY - 1 both cover baseYY - 1): the
-- newest tally wins, as the MERGE does across runs.
QUALIFY ROW_NUMBER() OVER (PARTITION BY exam_code, stage, year ORDER BY base_year DESC, page DESC) = 1
