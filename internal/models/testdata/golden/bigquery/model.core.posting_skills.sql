CREATE OR REPLACE TABLE `my-project.jobpulse_core.posting_skills` (
  posting_id STRING OPTIONS (description = "Saramin posting id"),
  posting_date DATE OPTIONS (description = "posting date in KST (partition)"),
  role STRING OPTIONS (description = "the posting's primary role"),
  region_code STRING OPTIONS (description = "top-level region code of the posting's first location"),
  region_name STRING OPTIONS (description = "top-level region name"),
  is_entry_level BOOL OPTIONS (description = "open to new graduates (신입 or 신입/경력)"),
  skill STRING OPTIONS (description = "canonical skill name from meta.skills"),
  skill_category STRING OPTIONS (description = "the skill's category (language, framework, database, cloud, data, ml, devops, …)")
)
PARTITION BY posting_date
CLUSTER BY role, skill
OPTIONS (description = "One row per posting and tech skill it names: the flat skill table Looker filters and counts (no REPEATED columns).")
AS
SELECT
  r.posting_id,
  r.posting_date,
  r.role,
  r.region_code,
  r.region_name,
  r.is_entry_level,
  skill_name AS skill,
  COALESCE(s.category, 'unknown') AS skill_category
FROM `my-project.jobpulse_external.saramin_postings` AS p
CROSS JOIN UNNEST(p.skills) AS skill_name
JOIN `my-project.jobpulse_core.recruit` AS r ON r.posting_id = p.posting_id
LEFT JOIN `my-project.jobpulse_meta.skills` AS s ON s.skill = skill_name;
