/* config
{
  "kind": "assert",
  "severity": "warn",
  "description": "the run collected at least a fifth of the average of successful runs of the trailing 7 days (needs 3 runs of history)"
}
*/
WITH history AS (
  SELECT COUNT(*) AS runs, AVG(raw_records) AS avg_records
  FROM {{ ref "meta.pipeline_runs" }}
  WHERE source = {{ param "source" }}
    AND status = 'success'
    AND run_id != {{ param "run_id" }}
    AND started_at >= {{ param "trailing_since" }}
)
SELECT
  {{ param "raw_records" }} AS raw_records,
  runs,
  avg_records,
  runs < 3 OR {{ param "raw_records" }} >= 0.2 * avg_records AS ok
FROM history
