/* config
{
  "materialized": "table",
  "sources": ["saramin"],
  "description": "One row per posting and tech skill it names: the flat skill table Looker filters and counts (no REPEATED columns).",
  "partition_by": "posting_date",
  "cluster_by": ["role", "skill"],
  "columns": [
    {"name": "posting_id", "type": "STRING", "description": "Saramin posting id"},
    {"name": "posting_date", "type": "DATE", "description": "posting date in KST (partition)"},
    {"name": "role", "type": "STRING", "description": "the posting's primary role"},
    {"name": "region_code", "type": "STRING", "description": "top-level region code of the posting's first location"},
    {"name": "region_name", "type": "STRING", "description": "top-level region name"},
    {"name": "is_entry_level", "type": "BOOL", "description": "open to new graduates (신입 or 신입/경력)"},
    {"name": "skill", "type": "STRING", "description": "canonical skill name from meta.skills"},
    {"name": "skill_category", "type": "STRING", "description": "the skill's category (language, framework, database, cloud, data, ml, devops, …)"}
  ],
  "checks": [
    {"type": "unique", "columns": ["posting_id", "skill"]},
    {"type": "not_null", "columns": ["posting_id", "posting_date", "skill", "skill_category"]},
    {"type": "relationships", "column": "skill", "to": "meta.skills", "field": "skill", "severity": "warn", "description": "every skill is in the current dictionary (a skill removed from the dictionary stays until its postings are replayed)"}
  ]
}
*/
SELECT
  r.posting_id,
  r.posting_date,
  r.role,
  r.region_code,
  r.region_name,
  r.is_entry_level,
  skill_name AS skill,
  COALESCE(s.category, 'unknown') AS skill_category
FROM {{ ref "external.saramin_postings" }} AS p
CROSS JOIN {{ unnest "p.skills" "skill_name" }}
JOIN {{ ref "core.recruit" }} AS r ON r.posting_id = p.posting_id
LEFT JOIN {{ ref "meta.skills" }} AS s ON s.skill = skill_name
