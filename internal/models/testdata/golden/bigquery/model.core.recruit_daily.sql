CREATE OR REPLACE TABLE `my-project.jobpulse_core.recruit_daily` (
  posting_date DATE OPTIONS (description = "posting date in KST"),
  region_code STRING OPTIONS (description = "top-level region code (NULL when the posting lists no location)"),
  region_name STRING OPTIONS (description = "top-level region name"),
  industry_category_name STRING OPTIONS (description = "industry top level"),
  role STRING OPTIONS (description = "primary role"),
  experience_code INT64 OPTIONS (description = "0 경력무관, 1 신입, 2 경력, 3 신입/경력"),
  experience_name STRING OPTIONS (description = "experience level"),
  new_postings INT64 OPTIONS (description = "postings first posted that day (latest versions)"),
  entry_level_postings INT64 OPTIONS (description = "of which open to new graduates")
)
PARTITION BY posting_date
CLUSTER BY role, region_code
OPTIONS (description = "New postings per day, region, industry category, role and experience level: the time-series page of the report.")
AS
SELECT
  posting_date,
  region_code,
  ANY_VALUE(region_name) AS region_name,
  industry_category_name,
  role,
  experience_code,
  ANY_VALUE(experience_name) AS experience_name,
  COUNT(*) AS new_postings,
  COUNTIF(is_entry_level) AS entry_level_postings
FROM `my-project.jobpulse_core.recruit`
GROUP BY posting_date, region_code, industry_category_name, role, experience_code;
