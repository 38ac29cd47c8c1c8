CREATE TABLE IF NOT EXISTS `my-project.jobpulse_external.saramin_postings` (
  posting_id STRING OPTIONS (description = "Saramin posting id (rec_idx); NULL when the job had none (rejected downstream)"),
  run_id STRING OPTIONS (description = "collect run that fetched this row"),
  page INT64 OPTIONS (description = "raw page number within the run (page-00001.json = 1)"),
  row_in_page INT64 OPTIONS (description = "0-based position of the job in its raw page"),
  url STRING OPTIONS (description = "posting page URL"),
  active BOOL OPTIONS (description = "1 open / 0 closed as reported by the API (number or string in the wild)"),
  company_name STRING OPTIONS (description = "company name, HTML entities unescaped"),
  company_href STRING OPTIONS (description = "company page URL when public"),
  title STRING OPTIONS (description = "posting title, HTML entities unescaped"),
  industry_code STRING OPTIONS (description = "Saramin industry code (ind_cd)"),
  industry_name STRING OPTIONS (description = "industry name as sent"),
  location_codes ARRAY<STRING> OPTIONS (description = "6-digit location codes"),
  location_names ARRAY<STRING> OPTIONS (description = "location names as sent, unescaped (\"서울 > 강남구\")"),
  job_type_codes ARRAY<STRING> OPTIONS (description = "employment type codes"),
  job_type_names ARRAY<STRING> OPTIONS (description = "employment type names"),
  job_mid_codes ARRAY<STRING> OPTIONS (description = "top-level job category codes"),
  job_mid_names ARRAY<STRING> OPTIONS (description = "top-level job category names"),
  job_codes ARRAY<STRING> OPTIONS (description = "job/keyword codes as sent (may repeat; not aligned with names)"),
  job_code_names ARRAY<STRING> OPTIONS (description = "job-code names: a bag of names, not aligned with job_codes"),
  keywords ARRAY<STRING> OPTIONS (description = "job keywords"),
  experience_code INT64 OPTIONS (description = "0 경력무관, 1 신입, 2 경력, 3 신입/경력"),
  experience_min INT64 OPTIONS (description = "minimum years of experience (0 when none)"),
  experience_max INT64 OPTIONS (description = "maximum years of experience (0 when open-ended)"),
  experience_name STRING OPTIONS (description = "experience level name as sent"),
  education_code STRING OPTIONS (description = "required education code 0–9"),
  education_name STRING OPTIONS (description = "required education name"),
  salary_code STRING OPTIONS (description = "salary code"),
  salary_name STRING OPTIONS (description = "salary name; NULL for codes sent without one"),
  close_type_code STRING OPTIONS (description = "1 접수마감일, 2 채용시, 3 상시, 4 수시"),
  close_type_name STRING OPTIONS (description = "close type name"),
  posted_at TIMESTAMP OPTIONS (description = "posting time (UTC)"),
  modified_at TIMESTAMP OPTIONS (description = "last modification time (UTC)"),
  opened_at TIMESTAMP OPTIONS (description = "opening time (UTC)"),
  expires_at TIMESTAMP OPTIONS (description = "deadline (UTC); NULL when absent or a no-deadline sentinel"),
  has_deadline BOOL OPTIONS (description = "false for close types 2/3 and the 2033 sentinels or a missing expiration"),
  posting_date DATE OPTIONS (description = "posting date in KST"),
  read_count INT64 OPTIONS (description = "views (read-cnt)"),
  apply_count INT64 OPTIONS (description = "applications (apply-cnt)"),
  raw_json STRING OPTIONS (description = "the raw job object, compact, so models can re-derive after a fix")
)
PARTITION BY posting_date
CLUSTER BY posting_id
OPTIONS (description = "Validated Saramin postings: one row per posting id holding its latest version (newest modification time, then newest run; re-processing a run rewrites the rows it won). Rows failing row-level rules are in saramin_postings_rejected.");

MERGE INTO `my-project.jobpulse_external.saramin_postings` AS T
USING (
SELECT
  posting_id,
  run_id,
  page,
  row_in_page,
  url,
  active,
  company_name,
  company_href,
  title,
  industry_code,
  industry_name,
  location_codes,
  location_names,
  job_type_codes,
  job_type_names,
  job_mid_codes,
  job_mid_names,
  job_codes,
  job_code_names,
  keywords,
  experience_code,
  experience_min,
  experience_max,
  experience_name,
  education_code,
  education_name,
  salary_code,
  salary_name,
  close_type_code,
  close_type_name,
  posted_at,
  modified_at,
  opened_at,
  expires_at,
  has_deadline,
  posting_date,
  read_count,
  apply_count,
  raw_json
FROM `my-project.jobpulse_staging.saramin_postings_validated`
WHERE run = @run_id
  AND dt = @dt
  AND reject_reason IS NULL
-- The same id can appear several times in one run (window splits, overlaps, re-posts):
-- keep its newest version, as the MERGE does across runs.
QUALIFY ROW_NUMBER() OVER (PARTITION BY posting_id ORDER BY modified_at DESC, page DESC, row_in_page DESC) = 1
) AS S
ON T.posting_id = S.posting_id AND T.posting_date >= @merge_since
WHEN MATCHED AND (S.modified_at > T.modified_at OR (S.modified_at = T.modified_at AND S.run_id >= T.run_id)) THEN
  UPDATE SET posting_id = S.posting_id, run_id = S.run_id, page = S.page, row_in_page = S.row_in_page, url = S.url, active = S.active, company_name = S.company_name, company_href = S.company_href, title = S.title, industry_code = S.industry_code, industry_name = S.industry_name, location_codes = S.location_codes, location_names = S.location_names, job_type_codes = S.job_type_codes, job_type_names = S.job_type_names, job_mid_codes = S.job_mid_codes, job_mid_names = S.job_mid_names, job_codes = S.job_codes, job_code_names = S.job_code_names, keywords = S.keywords, experience_code = S.experience_code, experience_min = S.experience_min, experience_max = S.experience_max, experience_name = S.experience_name, education_code = S.education_code, education_name = S.education_name, salary_code = S.salary_code, salary_name = S.salary_name, close_type_code = S.close_type_code, close_type_name = S.close_type_name, posted_at = S.posted_at, modified_at = S.modified_at, opened_at = S.opened_at, expires_at = S.expires_at, has_deadline = S.has_deadline, posting_date = S.posting_date, read_count = S.read_count, apply_count = S.apply_count, raw_json = S.raw_json
WHEN NOT MATCHED THEN
  INSERT (posting_id, run_id, page, row_in_page, url, active, company_name, company_href, title, industry_code, industry_name, location_codes, location_names, job_type_codes, job_type_names, job_mid_codes, job_mid_names, job_codes, job_code_names, keywords, experience_code, experience_min, experience_max, experience_name, education_code, education_name, salary_code, salary_name, close_type_code, close_type_name, posted_at, modified_at, opened_at, expires_at, has_deadline, posting_date, read_count, apply_count, raw_json)
  VALUES (S.posting_id, S.run_id, S.page, S.row_in_page, S.url, S.active, S.company_name, S.company_href, S.title, S.industry_code, S.industry_name, S.location_codes, S.location_names, S.job_type_codes, S.job_type_names, S.job_mid_codes, S.job_mid_names, S.job_codes, S.job_code_names, S.keywords, S.experience_code, S.experience_min, S.experience_max, S.experience_name, S.education_code, S.education_name, S.salary_code, S.salary_name, S.close_type_code, S.close_type_name, S.posted_at, S.modified_at, S.opened_at, S.expires_at, S.has_deadline, S.posting_date, S.read_count, S.apply_count, S.raw_json);
