/* config
{
  "materialized": "ensure",
  "description": "The run ledger: one row per run and source, whatever its outcome.",
  "partition_by": "DATE(started_at)",
  "cluster_by": [
    "source",
    "status"
  ],
  "columns": [
    {
      "name": "run_id",
      "type": "STRING",
      "description": "run id, e.g. 20261121T103000Z-saramin-3f9a1c"
    },
    {
      "name": "source",
      "type": "STRING",
      "description": "source collected (saramin)"
    },
    {
      "name": "status",
      "type": "STRING",
      "description": "success | failed | no_new_postings | quota_exhausted"
    },
    {
      "name": "step_failed",
      "type": "STRING",
      "description": "collect, normalize, staging, external or core when the run failed"
    },
    {
      "name": "error",
      "type": "STRING",
      "description": "short error message of a failed run (never secrets)"
    },
    {
      "name": "started_at",
      "type": "TIMESTAMP",
      "description": "when the run started"
    },
    {
      "name": "finished_at",
      "type": "TIMESTAMP",
      "description": "when the run finished"
    },
    {
      "name": "duration_ms",
      "type": "INT64",
      "description": "wall time of the run in milliseconds"
    },
    {
      "name": "demo",
      "type": "BOOL",
      "description": "true when the data came from the synthetic demo source"
    },
    {
      "name": "window_from",
      "type": "TIMESTAMP",
      "description": "start of the collected posting window"
    },
    {
      "name": "window_to",
      "type": "TIMESTAMP",
      "description": "end of the collected posting window"
    },
    {
      "name": "pages",
      "type": "INT64",
      "description": "raw pages landed"
    },
    {
      "name": "api_calls",
      "type": "INT64",
      "description": "API requests made, retries included"
    },
    {
      "name": "raw_records",
      "type": "INT64",
      "description": "job records in the raw pages"
    },
    {
      "name": "distinct_ids",
      "type": "INT64",
      "description": "distinct posting ids in the raw pages"
    },
    {
      "name": "quarantined_pages",
      "type": "INT64",
      "description": "raw pages the normalizer could not parse"
    },
    {
      "name": "staging_rows",
      "type": "INT64",
      "description": "staging rows of the run"
    },
    {
      "name": "external_upserts",
      "type": "INT64",
      "description": "distinct valid postings of the run present in external.saramin_postings"
    },
    {
      "name": "rejected_rows",
      "type": "INT64",
      "description": "rows of the run rejected by row-level rules"
    },
    {
      "name": "duplicate_rows",
      "type": "INT64",
      "description": "in-batch duplicates of the run (older versions of the same id)"
    },
    {
      "name": "core_rows",
      "type": "INT64",
      "description": "rows in core.recruit after the run"
    },
    {
      "name": "checks_passed",
      "type": "INT64",
      "description": "checks that passed"
    },
    {
      "name": "checks_warned",
      "type": "INT64",
      "description": "warn-severity checks that failed"
    },
    {
      "name": "checks_failed",
      "type": "INT64",
      "description": "error-severity checks that failed (errored, timed out or found violations)"
    },
    {
      "name": "bytes_processed",
      "type": "INT64",
      "description": "bytes processed by warehouse jobs (BigQuery billing)"
    },
    {
      "name": "recorded_at",
      "type": "TIMESTAMP",
      "description": "when this row was written"
    }
  ]
}
*/
