/* config
{
  "materialized": "table",
  "sources": ["saramin"],
  "description": "One row per Saramin posting (its latest version), denormalized with the meta code tables: what Looker Studio reads.",
  "partition_by": "posting_date",
  "cluster_by": [
    "role",
    "region_code",
    "job_mid_code"
  ],
  "columns": [
    {
      "name": "posting_id",
      "type": "STRING",
      "description": "Saramin posting id (rec_idx)"
    },
    {
      "name": "title",
      "type": "STRING",
      "description": "posting title"
    },
    {
      "name": "company_name",
      "type": "STRING",
      "description": "hiring company"
    },
    {
      "name": "url",
      "type": "STRING",
      "description": "posting page on Saramin"
    },
    {
      "name": "posted_at",
      "type": "TIMESTAMP",
      "description": "posting time (UTC)"
    },
    {
      "name": "posting_date",
      "type": "DATE",
      "description": "posting date in KST (partition)"
    },
    {
      "name": "modified_at",
      "type": "TIMESTAMP",
      "description": "last modification time (UTC)"
    },
    {
      "name": "expires_at",
      "type": "TIMESTAMP",
      "description": "application deadline (UTC); NULL when there is none"
    },
    {
      "name": "has_deadline",
      "type": "BOOL",
      "description": "false for 채용시/상시 postings and no-deadline sentinels"
    },
    {
      "name": "is_active",
      "type": "BOOL",
      "description": "open and not past its deadline when the mart was built"
    },
    {
      "name": "close_type_name",
      "type": "STRING",
      "description": "접수마감일, 채용시, 상시 or 수시"
    },
    {
      "name": "region_code",
      "type": "STRING",
      "description": "top-level region code of the first location (e.g. 101000)"
    },
    {
      "name": "region_name",
      "type": "STRING",
      "description": "top-level region of the first location (서울, 경기, …)"
    },
    {
      "name": "location_count",
      "type": "INT64",
      "description": "number of locations listed"
    },
    {
      "name": "industry_code",
      "type": "STRING",
      "description": "Saramin industry code"
    },
    {
      "name": "industry_name",
      "type": "STRING",
      "description": "industry name"
    },
    {
      "name": "industry_category_name",
      "type": "STRING",
      "description": "industry top level (IT·웹·통신, 제조·화학, …)"
    },
    {
      "name": "job_mid_code",
      "type": "STRING",
      "description": "first top-level job category code"
    },
    {
      "name": "job_mid_name",
      "type": "STRING",
      "description": "first top-level job category (IT개발·데이터, …)"
    },
    {
      "name": "experience_code",
      "type": "INT64",
      "description": "0 경력무관, 1 신입, 2 경력, 3 신입/경력"
    },
    {
      "name": "experience_name",
      "type": "STRING",
      "description": "experience level"
    },
    {
      "name": "experience_min_years",
      "type": "INT64",
      "description": "minimum years of experience (0 when none)"
    },
    {
      "name": "experience_max_years",
      "type": "INT64",
      "description": "maximum years of experience (0 when open-ended)"
    },
    {
      "name": "is_entry_level",
      "type": "BOOL",
      "description": "open to new graduates (신입 or 신입/경력)"
    },
    {
      "name": "education_name",
      "type": "STRING",
      "description": "required education"
    },
    {
      "name": "salary_name",
      "type": "STRING",
      "description": "salary range or policy; NULL when Saramin sends none"
    },
    {
      "name": "read_count",
      "type": "INT64",
      "description": "views when last collected"
    },
    {
      "name": "apply_count",
      "type": "INT64",
      "description": "applications when last collected"
    },
    {
      "name": "role",
      "type": "STRING",
      "description": "primary role: data_engineer, data_analyst, data_scientist, ml_engineer, backend, frontend, fullstack, mobile, devops, security, embedded, qa, other_it or non_it"
    },
    {
      "name": "skill_count",
      "type": "INT64",
      "description": "number of distinct tech skills the posting names"
    },
    {
      "name": "skills",
      "type": "STRING",
      "description": "the skills, comma-joined canonical names (one row per skill in core.posting_skills)"
    }
  ],
  "checks": [
    {
      "type": "not_null",
      "columns": [
        "posting_id",
        "posting_date"
      ]
    },
    {
      "type": "unique",
      "columns": [
        "posting_id"
      ]
    },
    {
      "type": "relationships",
      "column": "region_code",
      "to": "meta.locations",
      "field": "region_code",
      "severity": "warn"
    },
    {
      "type": "freshness",
      "column": "posted_at",
      "max_age_hours": 72,
      "severity": "warn"
    },
    {
      "type": "accepted_values",
      "column": "role",
      "values": [
        "data_engineer",
        "data_analyst",
        "data_scientist",
        "ml_engineer",
        "backend",
        "frontend",
        "fullstack",
        "mobile",
        "devops",
        "security",
        "embedded",
        "qa",
        "other_it",
        "non_it"
      ],
      "severity": "error"
    },
    {
      "type": "not_null",
      "columns": [
        "role",
        "skill_count"
      ],
      "name": "recruit_not_null_role_skill_count",
      "severity": "warn",
      "description": "role and skill_count are set; NULL means the posting was processed before the skill dictionary existed (replay to classify it)"
    }
  ]
}
*/
WITH p AS (
  SELECT
    *,
    {{ first "location_codes" }} AS first_location,
    {{ first "job_mid_codes" }} AS first_job_mid
  FROM {{ ref "external.saramin_postings" }}
),
regions AS (
  SELECT DISTINCT region_code, region_name
  FROM {{ ref "meta.locations" }}
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
  COALESCE(p.active, TRUE) AND (p.expires_at IS NULL OR p.expires_at > {{ param "as_of" }}) AS is_active,
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
LEFT JOIN {{ ref "meta.close_types" }} AS ct ON ct.code = p.close_type_code
LEFT JOIN regions AS reg ON reg.region_code = SUBSTR(p.first_location, 1, 3) || '000'
LEFT JOIN {{ ref "meta.industries" }} AS ind ON ind.code = p.industry_code
LEFT JOIN {{ ref "meta.industry_categories" }} AS cat
  ON cat.code = COALESCE(ind.category_code, SUBSTR(p.industry_code, 1, LENGTH(p.industry_code) - 2))
LEFT JOIN {{ ref "meta.job_mid_codes" }} AS jm ON jm.code = p.first_job_mid
LEFT JOIN {{ ref "meta.experiences" }} AS ex ON ex.code = CAST(p.experience_code AS STRING)
LEFT JOIN {{ ref "meta.education_levels" }} AS ed ON ed.code = p.education_code
LEFT JOIN {{ ref "meta.salary_codes" }} AS sal ON sal.code = p.salary_code
