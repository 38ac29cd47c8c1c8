/* config
{
  "kind": "assert",
  "severity": "error",
  "model": "google_trends",
  "description": "every term value of the run's raw pages (terms x periods) is one staging row"
}
*/
SELECT
  {{ param "raw_records" }} AS raw_records,
  COUNT(*) AS staging_rows,
  COUNT(*) = {{ param "raw_records" }} AS ok
FROM {{ ref "staging.google_trends" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
