/* config
{
  "kind": "assert",
  "severity": "error",
  "model": "certifications",
  "description": "every year of every exam item in the run's raw pages is one staging row (five per item)"
}
*/
SELECT
  {{ param "raw_records" }} AS raw_records,
  COUNT(*) AS staging_rows,
  COUNT(*) = {{ param "raw_records" }} AS ok
FROM {{ ref "staging.certifications" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
