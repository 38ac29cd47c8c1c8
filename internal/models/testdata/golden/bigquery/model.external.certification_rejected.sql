CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.certification_rejected` (
  run_id STRING OPTIONS (description = "collect run of the row"),
  page INT64 OPTIONS (description = "raw page of the row"),
  exam_code STRING OPTIONS (description = "exam code, when known"),
  stage STRING OPTIONS (description = "stage, when known"),
  year INT64 OPTIONS (description = "exam year, when known"),
  applicants INT64 OPTIONS (description = "applicants, when known"),
  passers INT64 OPTIONS (description = "passers, when known"),
  reason STRING OPTIONS (description = "the row-level rule the row broke"),
  rejected_at TIMESTAMP OPTIONS (description = "when the run was processed")
)
PARTITION BY DATE(rejected_at)
CLUSTER BY run_id
OPTIONS (description = "Certification rows that failed a row-level rule, with the reason, one set per run (re-processing a run replaces its rows).");

ALTER TABLE `my-project.jobpulse_external.certification_rejected`
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "collect run of the row"),
  ADD COLUMN IF NOT EXISTS page INT64 OPTIONS (description = "raw page of the row"),
  ADD COLUMN IF NOT EXISTS exam_code STRING OPTIONS (description = "exam code, when known"),
  ADD COLUMN IF NOT EXISTS stage STRING OPTIONS (description = "stage, when known"),
  ADD COLUMN IF NOT EXISTS year INT64 OPTIONS (description = "exam year, when known"),
  ADD COLUMN IF NOT EXISTS applicants INT64 OPTIONS (description = "applicants, when known"),
  ADD COLUMN IF NOT EXISTS passers INT64 OPTIONS (description = "passers, when known"),
  ADD COLUMN IF NOT EXISTS reason STRING OPTIONS (description = "the row-level rule the row broke"),
  ADD COLUMN IF NOT EXISTS rejected_at TIMESTAMP OPTIONS (description = "when the run was processed");

DELETE FROM `my-project.jobpulse_external.certification_rejected` WHERE run_id = @run_id;

INSERT INTO `my-project.jobpulse_external.certification_rejected` (run_id, page, exam_code, stage, year, applicants, passers, reason, rejected_at)
SELECT run_id, page, exam_code, stage, year, applicants, passers, reason, rejected_at FROM (
SELECT
  run_id,
  page,
  exam_code,
  stage,
  year,
  applicants,
  passers,
  reject_reason AS reason,
  @processed_at AS rejected_at
FROM `my-project.jobpulse_staging.certifications_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NOT NULL
) AS s;
