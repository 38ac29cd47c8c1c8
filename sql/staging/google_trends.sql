/* config
{
  "materialized": "external",
  "sources": ["trends"],
  "description": "Clean Google Trends points as normalized into the lake (clean/google_trends/dt=…/run=…/*.ndjson): one row per term and period of each batch, rescaled through the anchor; nothing is copied. Partition columns dt (run date) and run (run id).",
  "source": "clean/google_trends",
  "schema": "google_trends.schema.json",
  "checks": [
    {"type": "not_null", "columns": ["run_id", "anchor", "time_range"]}
  ]
}
*/
