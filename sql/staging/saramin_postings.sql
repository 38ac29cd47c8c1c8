/* config
{
  "materialized": "external",
  "sources": ["saramin"],
  "description": "Clean Saramin postings as normalized into the lake (clean/saramin_postings/dt=…/run=…/*.ndjson); nothing is copied. Partition columns dt (run date) and run (run id).",
  "source": "clean/saramin_postings",
  "schema": "saramin_postings.schema.json",
  "checks": [
    {
      "type": "not_null",
      "columns": [
        "run_id",
        "raw_json"
      ]
    }
  ]
}
*/
