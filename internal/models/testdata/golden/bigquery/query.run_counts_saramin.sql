-- Row counts of one run across the layers, for the run summary and the ledger.
WITH batch AS (
  SELECT posting_id, reject_reason
  FROM `my-project.jobpulse_staging.saramin_postings_validated`
  WHERE run = @run_id
    AND dt = @dt
)
SELECT
  (SELECT COUNT(*) FROM batch) AS staging_rows,
  (SELECT COUNT(DISTINCT b.posting_id)
     FROM batch AS b
     JOIN `my-project.jobpulse_external.saramin_postings` AS e ON e.posting_id = b.posting_id
     WHERE b.reject_reason IS NULL) AS external_upserts,
  (SELECT COUNT(*) FROM `my-project.jobpulse_external.saramin_postings_rejected` WHERE run_id = @run_id) AS rejected_rows,
  (SELECT COUNT(*) - COUNT(DISTINCT posting_id) FROM batch WHERE reject_reason IS NULL) AS duplicate_rows,
  (SELECT COUNT(*) FROM `my-project.jobpulse_external.saramin_postings`) AS external_rows,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit`) AS core_rows;
