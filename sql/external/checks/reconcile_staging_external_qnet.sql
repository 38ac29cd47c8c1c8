/* config
{
  "kind": "assert",
  "severity": "error",
  "model": "certification_stats",
  "description": "staging rows of the run = exam-years upserted into or already newer in external + rejected rows + in-batch duplicates (overlapping five-year windows)"
}
*/
WITH batch AS (
  SELECT exam_code, stage, year, reject_reason
  FROM {{ ref "staging.certifications_validated" }}
  WHERE run = {{ param "run_id" }}
    AND dt = {{ param "dt" }}
),
counts AS (
  SELECT
    COUNT(*) AS staging_rows,
    COUNTIF(reject_reason IS NOT NULL) AS invalid_rows,
    COUNT(DISTINCT IF(reject_reason IS NULL, CONCAT(exam_code, '|', stage, '|', CAST(year AS STRING)), NULL)) AS distinct_valid
  FROM batch
),
rejects AS (
  SELECT COUNT(*) AS rejected_rows
  FROM {{ ref "external.certification_rejected" }}
  WHERE run_id = {{ param "run_id" }}
),
present AS (
  SELECT COUNT(DISTINCT CONCAT(b.exam_code, '|', b.stage, '|', CAST(b.year AS STRING))) AS present
  FROM batch AS b
  JOIN {{ ref "external.certification_stats" }} AS e
    ON e.exam_code = b.exam_code AND e.stage = b.stage AND e.year = b.year
  WHERE b.reject_reason IS NULL
)
SELECT
  c.staging_rows,
  p.present,
  r.rejected_rows,
  c.staging_rows - c.invalid_rows - c.distinct_valid AS duplicates,
  c.distinct_valid = p.present
    AND c.staging_rows = p.present + r.rejected_rows + (c.staging_rows - c.invalid_rows - c.distinct_valid) AS ok
FROM counts AS c
CROSS JOIN rejects AS r
CROSS JOIN present AS p
