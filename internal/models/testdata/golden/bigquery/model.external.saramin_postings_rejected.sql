CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.saramin_postings_rejected` (
  run_id STRING OPTIONS (description = "run whose raw pages held the row"),
  page INT64 OPTIONS (description = "raw page number within the run"),
  row_in_page INT64 OPTIONS (description = "position of the job in its page"),
  posting_id STRING OPTIONS (description = "posting id when there was one"),
  reason STRING OPTIONS (description = "the row-level rule the row broke"),
  raw_json STRING OPTIONS (description = "the raw job object, for diagnosis and replay"),
  rejected_at TIMESTAMP OPTIONS (description = "when the run was processed")
)
PARTITION BY DATE(rejected_at)
CLUSTER BY run_id
OPTIONS (description = "Rows that failed a row-level rule, with the reason and the raw job, one set per run (re-processing a run replaces its rows).");

ALTER TABLE `my-project.jobpulse_external.saramin_postings_rejected`
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "run whose raw pages held the row"),
  ADD COLUMN IF NOT EXISTS page INT64 OPTIONS (description = "raw page number within the run"),
  ADD COLUMN IF NOT EXISTS row_in_page INT64 OPTIONS (description = "position of the job in its page"),
  ADD COLUMN IF NOT EXISTS posting_id STRING OPTIONS (description = "posting id when there was one"),
  ADD COLUMN IF NOT EXISTS reason STRING OPTIONS (description = "the row-level rule the row broke"),
  ADD COLUMN IF NOT EXISTS raw_json STRING OPTIONS (description = "the raw job object, for diagnosis and replay"),
  ADD COLUMN IF NOT EXISTS rejected_at TIMESTAMP OPTIONS (description = "when the run was processed");

DELETE FROM `my-project.jobpulse_external.saramin_postings_rejected` WHERE run_id = @run_id;

INSERT INTO `my-project.jobpulse_external.saramin_postings_rejected` (run_id, page, row_in_page, posting_id, reason, raw_json, rejected_at)
SELECT run_id, page, row_in_page, posting_id, reason, raw_json, rejected_at FROM (
SELECT
  run_id,
  page,
  row_in_page,
  posting_id,
  reject_reason AS reason,
  raw_json,
  @processed_at AS rejected_at
FROM `my-project.jobpulse_staging.saramin_postings_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NOT NULL
) AS s;
