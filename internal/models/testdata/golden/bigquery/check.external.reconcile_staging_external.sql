WITH batch AS (
  SELECT posting_id, reject_reason
  FROM `my-project.jobpulse_staging.saramin_postings_validated`
  WHERE run = @run_id
    AND dt = @dt
),
counts AS (
  SELECT
    COUNT(*) AS staging_rows,
    COUNTIF(reject_reason IS NOT NULL) AS invalid_rows,
    COUNT(DISTINCT IF(reject_reason IS NULL, posting_id, NULL)) AS distinct_valid
  FROM batch
),
rejects AS (
  SELECT COUNT(*) AS rejected_rows
  FROM `my-project.jobpulse_external.saramin_postings_rejected`
  WHERE run_id = @run_id
),
upserts AS (
  SELECT COUNT(DISTINCT b.posting_id) AS upserted
  FROM batch AS b
  JOIN `my-project.jobpulse_external.saramin_postings` AS e ON e.posting_id = b.posting_id
  WHERE b.reject_reason IS NULL
)
SELECT
  c.staging_rows,
  u.upserted,
  r.rejected_rows,
  c.staging_rows - c.invalid_rows - c.distinct_valid AS duplicates,
  c.staging_rows = u.upserted + r.rejected_rows + (c.staging_rows - c.invalid_rows - c.distinct_valid) AS ok
FROM counts AS c
CROSS JOIN rejects AS r
CROSS JOIN upserts AS u;
