-- Row counts of one run across the layers, for the run summary and the ledger.
WITH batch AS (
  SELECT posting_id, reject_reason
  FROM {{ ref "staging.saramin_postings_validated" }}
  WHERE run = {{ param "run_id" }}
    AND dt = {{ param "dt" }}
)
SELECT
  (SELECT COUNT(*) FROM batch) AS staging_rows,
  (SELECT COUNT(DISTINCT b.posting_id)
     FROM batch AS b
     JOIN {{ ref "external.saramin_postings" }} AS e ON e.posting_id = b.posting_id
     WHERE b.reject_reason IS NULL) AS external_upserts,
  (SELECT COUNT(*) FROM {{ ref "external.saramin_postings_rejected" }} WHERE run_id = {{ param "run_id" }}) AS rejected_rows,
  (SELECT COUNT(*) - COUNT(DISTINCT posting_id) FROM batch WHERE reject_reason IS NULL) AS duplicate_rows,
  (SELECT COUNT(*) FROM {{ ref "external.saramin_postings" }}) AS external_rows,
  (SELECT COUNT(*) FROM {{ ref "core.recruit" }}) AS core_rows
