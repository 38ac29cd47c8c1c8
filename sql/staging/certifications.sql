/* config
{
  "materialized": "external",
  "sources": ["qnet"],
  "description": "Clean Q-Net yearly exam statistics as normalized into the lake (clean/certifications/dt=…/run=…/*.ndjson): one row per exam, stage and year of each response's five-year window; nothing is copied. Partition columns dt (run date) and run (run id).",
  "source": "clean/certifications",
  "schema": "certifications.schema.json",
  "checks": [
    {"type": "not_null", "columns": ["run_id", "base_year"]}
  ]
}
*/
