/* config
{
  "materialized": "ensure",
  "description": "One row per check per run: observed value, severity, status and a sample of failing rows.",
  "partition_by": "DATE(checked_at)",
  "cluster_by": [
    "run_id",
    "layer"
  ],
  "columns": [
    {
      "name": "run_id",
      "type": "STRING",
      "description": "run the check ran for"
    },
    {
      "name": "layer",
      "type": "STRING",
      "description": "meta, staging, external or core"
    },
    {
      "name": "check_name",
      "type": "STRING",
      "description": "check name"
    },
    {
      "name": "model",
      "type": "STRING",
      "description": "table checked, when one"
    },
    {
      "name": "severity",
      "type": "STRING",
      "description": "error blocks promotion; warn reports"
    },
    {
      "name": "status",
      "type": "STRING",
      "description": "pass | fail | error (an error, a timeout or no result: fails closed)"
    },
    {
      "name": "observed",
      "type": "INT64",
      "description": "violating rows, or the number of failing assertion rows"
    },
    {
      "name": "description",
      "type": "STRING",
      "description": "what the check asserts"
    },
    {
      "name": "message",
      "type": "STRING",
      "description": "why it failed (error text or a summary)"
    },
    {
      "name": "sample_json",
      "type": "STRING",
      "description": "up to 5 violating rows as a JSON array"
    },
    {
      "name": "duration_ms",
      "type": "INT64",
      "description": "check duration in milliseconds"
    },
    {
      "name": "bytes_processed",
      "type": "INT64",
      "description": "bytes processed by the check's queries"
    },
    {
      "name": "checked_at",
      "type": "TIMESTAMP",
      "description": "when the check ran"
    }
  ]
}
*/
