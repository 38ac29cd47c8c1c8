/* config
{
  "materialized": "incremental",
  "sources": ["saramin"],
  "strategy": "merge",
  "description": "Validated Saramin postings: one row per posting id holding its latest version (newest modification time, then newest run; re-processing a run rewrites the rows it won). Rows failing row-level rules are in saramin_postings_rejected.",
  "unique_key": [
    "posting_id"
  ],
  "update_when": "S.modified_at > T.modified_at OR (S.modified_at = T.modified_at AND S.run_id >= T.run_id)",
  "partition_by": "posting_date",
  "cluster_by": [
    "posting_id"
  ],
  "merge_lookback_days": 400,
  "columns": [
    {
      "name": "posting_id",
      "type": "STRING",
      "description": "Saramin posting id (rec_idx); NULL when the job had none (rejected downstream)"
    },
    {
      "name": "run_id",
      "type": "STRING",
      "description": "collect run that fetched this row"
    },
    {
      "name": "page",
      "type": "INT64",
      "description": "raw page number within the run (page-00001.json = 1)"
    },
    {
      "name": "row_in_page",
      "type": "INT64",
      "description": "0-based position of the job in its raw page"
    },
    {
      "name": "url",
      "type": "STRING",
      "description": "posting page URL"
    },
    {
      "name": "active",
      "type": "BOOL",
      "description": "1 open / 0 closed as reported by the API (number or string in the wild)"
    },
    {
      "name": "company_name",
      "type": "STRING",
      "description": "company name, HTML entities unescaped"
    },
    {
      "name": "company_href",
      "type": "STRING",
      "description": "company page URL when public"
    },
    {
      "name": "title",
      "type": "STRING",
      "description": "posting title, HTML entities unescaped"
    },
    {
      "name": "industry_code",
      "type": "STRING",
      "description": "Saramin industry code (ind_cd)"
    },
    {
      "name": "industry_name",
      "type": "STRING",
      "description": "industry name as sent"
    },
    {
      "name": "location_codes",
      "type": "STRING",
      "description": "6-digit location codes",
      "mode": "REPEATED"
    },
    {
      "name": "location_names",
      "type": "STRING",
      "description": "location names as sent, unescaped (\"서울 > 강남구\")",
      "mode": "REPEATED"
    },
    {
      "name": "job_type_codes",
      "type": "STRING",
      "description": "employment type codes",
      "mode": "REPEATED"
    },
    {
      "name": "job_type_names",
      "type": "STRING",
      "description": "employment type names",
      "mode": "REPEATED"
    },
    {
      "name": "job_mid_codes",
      "type": "STRING",
      "description": "top-level job category codes",
      "mode": "REPEATED"
    },
    {
      "name": "job_mid_names",
      "type": "STRING",
      "description": "top-level job category names",
      "mode": "REPEATED"
    },
    {
      "name": "job_codes",
      "type": "STRING",
      "description": "job/keyword codes as sent (may repeat; not aligned with names)",
      "mode": "REPEATED"
    },
    {
      "name": "job_code_names",
      "type": "STRING",
      "description": "job-code names: a bag of names, not aligned with job_codes",
      "mode": "REPEATED"
    },
    {
      "name": "keywords",
      "type": "STRING",
      "description": "job keywords",
      "mode": "REPEATED"
    },
    {
      "name": "experience_code",
      "type": "INT64",
      "description": "0 경력무관, 1 신입, 2 경력, 3 신입/경력"
    },
    {
      "name": "experience_min",
      "type": "INT64",
      "description": "minimum years of experience (0 when none)"
    },
    {
      "name": "experience_max",
      "type": "INT64",
      "description": "maximum years of experience (0 when open-ended)"
    },
    {
      "name": "experience_name",
      "type": "STRING",
      "description": "experience level name as sent"
    },
    {
      "name": "education_code",
      "type": "STRING",
      "description": "required education code 0–9"
    },
    {
      "name": "education_name",
      "type": "STRING",
      "description": "required education name"
    },
    {
      "name": "salary_code",
      "type": "STRING",
      "description": "salary code"
    },
    {
      "name": "salary_name",
      "type": "STRING",
      "description": "salary name; NULL for codes sent without one"
    },
    {
      "name": "close_type_code",
      "type": "STRING",
      "description": "1 접수마감일, 2 채용시, 3 상시, 4 수시"
    },
    {
      "name": "close_type_name",
      "type": "STRING",
      "description": "close type name"
    },
    {
      "name": "posted_at",
      "type": "TIMESTAMP",
      "description": "posting time (UTC)"
    },
    {
      "name": "modified_at",
      "type": "TIMESTAMP",
      "description": "last modification time (UTC)"
    },
    {
      "name": "opened_at",
      "type": "TIMESTAMP",
      "description": "opening time (UTC)"
    },
    {
      "name": "expires_at",
      "type": "TIMESTAMP",
      "description": "deadline (UTC); NULL when absent or a no-deadline sentinel"
    },
    {
      "name": "has_deadline",
      "type": "BOOL",
      "description": "false for close types 2/3 and the 2033 sentinels or a missing expiration"
    },
    {
      "name": "posting_date",
      "type": "DATE",
      "description": "posting date in KST"
    },
    {
      "name": "read_count",
      "type": "INT64",
      "description": "views (read-cnt)"
    },
    {
      "name": "apply_count",
      "type": "INT64",
      "description": "applications (apply-cnt)"
    },
    {
      "name": "role",
      "type": "STRING",
      "description": "primary role from the meta.roles rules (data_engineer, backend, …, other_it, non_it)"
    },
    {
      "name": "skills",
      "type": "STRING",
      "description": "canonical tech skills the dictionary matched in the title, keywords and job-code names, sorted",
      "mode": "REPEATED"
    },
    {
      "name": "skills_version",
      "type": "STRING",
      "description": "version of the skill dictionary and role rules that produced skills and role"
    },
    {
      "name": "raw_json",
      "type": "STRING",
      "description": "the raw job object, compact, so models can re-derive after a fix"
    }
  ],
  "checks": [
    {
      "type": "not_null",
      "columns": [
        "posting_id",
        "posted_at",
        "modified_at",
        "title"
      ]
    },
    {
      "type": "unique",
      "columns": [
        "posting_id"
      ]
    },
    {
      "type": "accepted_values",
      "column": "close_type_code",
      "values": [
        "1",
        "2",
        "3",
        "4"
      ],
      "severity": "warn"
    },
    {
      "type": "relationships",
      "column": "industry_code",
      "to": "meta.industries",
      "field": "code",
      "severity": "warn",
      "description": "industry codes missing from meta.industries stay visible (extend the seed)"
    },
    {
      "type": "relationships",
      "column": "salary_code",
      "to": "meta.salary_codes",
      "field": "code",
      "severity": "warn",
      "description": "salary codes missing from meta.salary_codes stay visible (extend the seed)"
    },
    {
      "type": "relationships",
      "column": "education_code",
      "to": "meta.education_levels",
      "field": "code",
      "severity": "warn"
    }
  ]
}
*/
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
  role,
  skills,
  skills_version,
  raw_json
FROM {{ ref "staging.saramin_postings_validated" }}
WHERE run = {{ param "run_id" }}
  AND dt = {{ param "dt" }}
  AND reject_reason IS NULL
-- The same id can appear several times in one run (window splits, overlaps, re-posts):
-- keep its newest version, as the MERGE does across runs.
QUALIFY ROW_NUMBER() OVER (PARTITION BY posting_id ORDER BY modified_at DESC, page DESC, row_in_page DESC) = 1
