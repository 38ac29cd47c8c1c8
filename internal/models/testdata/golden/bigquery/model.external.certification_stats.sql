CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.certification_stats` (
  exam_code STRING OPTIONS (description = "Q-Net exam code (jmCd)"),
  stage STRING OPTIONS (description = "written (필기) or practical (실기)"),
  year INT64 OPTIONS (description = "exam year"),
  exam_name STRING OPTIONS (description = "exam name as Q-Net answered it"),
  applicants INT64 OPTIONS (description = "applicants; NULL when Q-Net had no count"),
  passers INT64 OPTIONS (description = "passers; NULL when Q-Net had no count"),
  pass_rate FLOAT64 OPTIONS (description = "passers / applicants"),
  base_year INT64 OPTIONS (description = "the baseYY of the response the row came from"),
  run_id STRING OPTIONS (description = "collect run of the row"),
  page INT64 OPTIONS (description = "raw page of the row")
)
CLUSTER BY exam_code
OPTIONS (description = "Validated Q-Net exam statistics, one row per exam, stage and year, from the newest tally: a later base year wins, then the newest run.");

ALTER TABLE `my-project.jobpulse_external.certification_stats`
  ADD COLUMN IF NOT EXISTS exam_code STRING OPTIONS (description = "Q-Net exam code (jmCd)"),
  ADD COLUMN IF NOT EXISTS stage STRING OPTIONS (description = "written (필기) or practical (실기)"),
  ADD COLUMN IF NOT EXISTS year INT64 OPTIONS (description = "exam year"),
  ADD COLUMN IF NOT EXISTS exam_name STRING OPTIONS (description = "exam name as Q-Net answered it"),
  ADD COLUMN IF NOT EXISTS applicants INT64 OPTIONS (description = "applicants; NULL when Q-Net had no count"),
  ADD COLUMN IF NOT EXISTS passers INT64 OPTIONS (description = "passers; NULL when Q-Net had no count"),
  ADD COLUMN IF NOT EXISTS pass_rate FLOAT64 OPTIONS (description = "passers / applicants"),
  ADD COLUMN IF NOT EXISTS base_year INT64 OPTIONS (description = "the baseYY of the response the row came from"),
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "collect run of the row"),
  ADD COLUMN IF NOT EXISTS page INT64 OPTIONS (description = "raw page of the row");

MERGE INTO `my-project.jobpulse_external.certification_stats` AS T
USING (
SELECT
  exam_code,
  stage,
  year,
  exam_name,
  applicants,
  passers,
  pass_rate,
  base_year,
  run_id,
  page
FROM `my-project.jobpulse_staging.certifications_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NULL
-- Overlapping five-year windows (baseYY and baseYY - 1 both cover baseYY - 1): the
-- newest tally wins, as the MERGE does across runs.
QUALIFY ROW_NUMBER() OVER (PARTITION BY exam_code, stage, year ORDER BY base_year DESC, page DESC) = 1
) AS S
ON T.exam_code = S.exam_code AND T.stage = S.stage AND T.year = S.year
WHEN MATCHED AND (S.base_year > T.base_year OR (S.base_year = T.base_year AND S.run_id >= T.run_id)) THEN
  UPDATE SET exam_code = S.exam_code, stage = S.stage, year = S.year, exam_name = S.exam_name, applicants = S.applicants, passers = S.passers, pass_rate = S.pass_rate, base_year = S.base_year, run_id = S.run_id, page = S.page
WHEN NOT MATCHED THEN
  INSERT (exam_code, stage, year, exam_name, applicants, passers, pass_rate, base_year, run_id, page)
  VALUES (S.exam_code, S.stage, S.year, S.exam_name, S.applicants, S.passers, S.pass_rate, S.base_year, S.run_id, S.page);
