CREATE OR REPLACE TABLE `my-project.jobpulse_core.recruit` (
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
CLUSTER BY role, region_code, job_mid_code
OPTIONS (description = "One row per Saramin posting (its latest version), denormalized with the meta code tables: what Looker Studio reads.")
AS
WITH p AS (
  SELECT
    *,
    location_codes[SAFE_OFFSET(0)] AS first_location,
    job_mid_codes[SAFE_OFFSET(0)] AS first_job_mid
  FROM `my-project.jobpulse_external.saramin_postings`
),
regions AS (
  SELECT DISTINCT region_code, region_name
  FROM `my-project.jobpulse_meta.locations`
)
SELECT
  p.posting_id,
  p.title,
  p.company_name,
  p.url,
  p.posted_at,
  p.posting_date,
  p.modified_at,
  p.expires_at,
  p.has_deadline,
  COALESCE(p.active, TRUE) AND (p.expires_at IS NULL OR p.expires_at > @as_of) AS is_active,
  COALESCE(ct.name, p.close_type_name) AS close_type_name,
  SUBSTR(p.first_location, 1, 3) || '000' AS region_code,
  reg.region_name,
  ARRAY_LENGTH(p.location_codes) AS location_count,
  p.industry_code,
  COALESCE(ind.name, p.industry_name) AS industry_name,
  cat.name AS industry_category_name,
  p.first_job_mid AS job_mid_code,
  jm.name AS job_mid_name,
  p.experience_code,
  COALESCE(ex.name, p.experience_name) AS experience_name,
  p.experience_min AS experience_min_years,
  p.experience_max AS experience_max_years,
  p.experience_code IN (1, 3) AS is_entry_level,
  COALESCE(ed.name, p.education_name) AS education_name,
  COALESCE(sal.name, p.salary_name) AS salary_name,
  p.read_count,
  p.apply_count,
  p.role,
  ARRAY_LENGTH(p.skills) AS skill_count,
  ARRAY_TO_STRING(p.skills, ', ') AS skills
FROM p
LEFT JOIN `my-project.jobpulse_meta.close_types` AS ct ON ct.code = p.close_type_code
LEFT JOIN regions AS reg ON reg.region_code = SUBSTR(p.first_location, 1, 3) || '000'
LEFT JOIN `my-project.jobpulse_meta.industries` AS ind ON ind.code = p.industry_code
LEFT JOIN `my-project.jobpulse_meta.industry_categories` AS cat
  ON cat.code = COALESCE(ind.category_code, SUBSTR(p.industry_code, 1, LENGTH(p.industry_code) - 2))
LEFT JOIN `my-project.jobpulse_meta.job_mid_codes` AS jm ON jm.code = p.first_job_mid
LEFT JOIN `my-project.jobpulse_meta.experiences` AS ex ON ex.code = CAST(p.experience_code AS STRING)
LEFT JOIN `my-project.jobpulse_meta.education_levels` AS ed ON ed.code = p.education_code
LEFT JOIN `my-project.jobpulse_meta.salary_codes` AS sal ON sal.code = p.salary_code;
