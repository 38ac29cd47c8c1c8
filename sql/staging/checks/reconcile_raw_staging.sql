/* config
{
  "kind": "assert",
  "severity": "error",
  "model": "saramin_postings",
  "description": "every job record in the run's raw pages is one staging row (the normalizer never drops a row)"
}
*/
SELECT
  {{ param "raw_records" }} AS raw_records,
  COUNT(*) AS staging_rows,
  COUNT(*) = {{ param "raw_records" }} AS ok
FROM {{ ref "staging.saramin_postings" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
