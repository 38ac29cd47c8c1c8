CREATE OR REPLACE TABLE `my-project.jobpulse_core.datajob` (
  posting_id STRING OPTIONS (description = "Saramin posting id (rec_idx)"),
  title STRING OPTIONS (description = "posting title"),
  company_name STRING OPTIONS (description = "hiring company"),
  url STRING OPTIONS (description = "posting page on Saramin"),
  posted_at TIMESTAMP OPTIONS (description = "posting time (UTC)"),
  posting_date DATE OPTIONS (description = "posting date in KST (partition)"),
  modified_at TIMESTAMP OPTIONS (description = "last modification time (UTC)"),
  expires_at TIMESTAMP OPTIONS (description = "application deadline (UTC); NULL when there is none"),
  has_deadline BOOL OPTIONS (description = "false for 채용시/상시 postings and no-deadline sentinels"),
  is_active BOOL OPTIONS (description = "open and not past its deadline when the mart was built"),
  close_type_name STRING OPTIONS (description = "접수마감일, 채용시, 상시 or 수시"),
  region_code STRING OPTIONS (description = "top-level region code of the first location (e.g. 101000)"),
  region_name STRING OPTIONS (description = "top-level region of the first location (서울, 경기, …)"),
  location_count INT64 OPTIONS (description = "number of locations listed"),
  industry_code STRING OPTIONS (description = "Saramin industry code"),
  industry_name STRING OPTIONS (description = "industry name"),
  industry_category_name STRING OPTIONS (description = "industry top level (IT·웹·통신, 제조·화학, …)"),
  job_mid_code STRING OPTIONS (description = "first top-level job category code"),
  job_mid_name STRING OPTIONS (description = "first top-level job category (IT개발·데이터, …)"),
  experience_code INT64 OPTIONS (description = "0 경력무관, 1 신입, 2 경력, 3 신입/경력"),
  experience_name STRING OPTIONS (description = "experience level"),
  experience_min_years INT64 OPTIONS (description = "minimum years of experience (0 when none)"),
  experience_max_years INT64 OPTIONS (description = "maximum years of experience (0 when open-ended)"),
  is_entry_level BOOL OPTIONS (description = "open to new graduates (신입 or 신입/경력)"),
  education_name STRING OPTIONS (description = "required education"),
  salary_name STRING OPTIONS (description = "salary range or policy; NULL when Saramin sends none"),
  read_count INT64 OPTIONS (description = "views when last collected"),
  apply_count INT64 OPTIONS (description = "applications when last collected"),
  role STRING OPTIONS (description = "primary role: data_engineer, data_analyst, data_scientist, ml_engineer, backend, frontend, fullstack, mobile, devops, security, embedded, qa, other_it or non_it"),
  skill_count INT64 OPTIONS (description = "number of distinct tech skills the posting names"),
  skills STRING OPTIONS (description = "the skills, comma-joined canonical names (one row per skill in core.posting_skills)")
)
PARTITION BY posting_date
CLUSTER BY role, region_code
OPTIONS (description = "core.recruit rows whose role is a data role (data_engineer, data_analyst, data_scientist, ml_engineer): the data-jobs page of the report.")
AS
SELECT *
FROM `my-project.jobpulse_core.recruit`
WHERE role IN ('data_engineer', 'data_analyst', 'data_scientist', 'ml_engineer');
