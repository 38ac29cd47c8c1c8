/* config
{
  "materialized": "table",
  "sources": ["saramin"],
  "description": "New postings per day, region, industry category, role and experience level: the time-series page of the report.",
  "partition_by": "posting_date",
  "cluster_by": ["role", "region_code"],
  "columns": [
    {"name": "posting_date", "type": "DATE", "description": "posting date in KST"},
    {"name": "region_code", "type": "STRING", "description": "top-level region code (NULL when the posting lists no location)"},
    {"name": "region_name", "type": "STRING", "description": "top-level region name"},
    {"name": "industry_category_name", "type": "STRING", "description": "industry top level"},
    {"name": "role", "type": "STRING", "description": "primary role"},
    {"name": "experience_code", "type": "INT64", "description": "0 경력무관, 1 신입, 2 경력, 3 신입/경력"},
    {"name": "experience_name", "type": "STRING", "description": "experience level"},
    {"name": "new_postings", "type": "INT64", "description": "postings first posted that day (latest versions)"},
    {"name": "entry_level_postings", "type": "INT64", "description": "of which open to new graduates"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["posting_date", "new_postings"]},
    {"type": "unique", "columns": ["posting_date", "region_code", "industry_category_name", "role", "experience_code"]}
  ]
}
*/
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
FROM {{ ref "core.recruit" }}
GROUP BY posting_date, region_code, industry_category_name, role, experience_code
