CREATE OR REPLACE TABLE `my-project.jobpulse_core.certification` (
  year INT64 OPTIONS (description = "exam year"),
  year_start DATE OPTIONS (description = "January 1 of the year, for date axes in Looker Studio"),
  exam_code STRING OPTIONS (description = "Q-Net exam code (jmCd)"),
  exam_name STRING OPTIONS (description = "exam name in Korean (meta.exams, else as Q-Net answered)"),
  exam_name_en STRING OPTIONS (description = "exam name in English; NULL for an exam missing from meta.exams"),
  grade STRING OPTIONS (description = "qualification grade: 기사, 산업기사, 기능사, 1급, 2급"),
  stage STRING OPTIONS (description = "written (필기) or practical (실기)"),
  applicants INT64 OPTIONS (description = "applicants"),
  passers INT64 OPTIONS (description = "passers"),
  pass_rate FLOAT64 OPTIONS (description = "passers / applicants (0..1)")
)
PARTITION BY year_start
CLUSTER BY exam_code, stage
OPTIONS (description = "Q-Net yearly applicants and passers per exam and stage (written 필기, practical 실기), with the pass rate. The current year is not tallied until the next.")
AS
SELECT
  s.year,
  PARSE_DATE('%Y-%m-%d', CONCAT(CAST(s.year AS STRING), '-01-01')) AS year_start,
  s.exam_code,
  COALESCE(e.exam_name, s.exam_name, s.exam_code) AS exam_name,
  e.exam_name_en,
  e.grade,
  s.stage,
  s.applicants,
  s.passers,
  s.pass_rate
FROM `my-project.jobpulse_external.certification_stats` AS s
LEFT JOIN `my-project.jobpulse_meta.exams` AS e ON e.exam_code = s.exam_code;
