-- Row counts of one Q-Net run across the layers, for the run summary and the ledger.
-- A "posting" here is an exam-stage-year tally.
WITH batch AS (
  SELECT exam_code, stage, year, reject_reason
  FROM {{ ref "staging.certifications_validated" }}
  WHERE run = {{ param "run_id" }}
    AND dt = {{ param "dt" }}
),
valid AS (
  SELECT DISTINCT exam_code, stage, year FROM batch WHERE reject_reason IS NULL
)
SELECT
  (SELECT COUNT(*) FROM batch) AS staging_rows,
  (SELECT COUNT(*)
     FROM valid AS b
     JOIN {{ ref "external.certification_stats" }} AS e
       ON e.exam_code = b.exam_code AND e.stage = b.stage AND e.year = b.year) AS external_upserts,
  (SELECT COUNT(*) FROM {{ ref "external.certification_rejected" }} WHERE run_id = {{ param "run_id" }}) AS rejected_rows,
  (SELECT COUNT(*) FROM batch WHERE reject_reason IS NULL) - (SELECT COUNT(*) FROM valid) AS duplicate_rows,
  (SELECT COUNT(*) FROM {{ ref "external.certification_stats" }}) AS external_rows,
  (SELECT COUNT(*) FROM {{ ref "core.certification" }}) AS core_rows
