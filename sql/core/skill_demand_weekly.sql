/* config
{
  "materialized": "table",
  "sources": ["saramin"],
  "description": "Weekly demand per role and skill: how many of the role's new postings name the skill, the share, its rank within the role-week and the change from the previous week.",
  "partition_by": "week_start",
  "cluster_by": ["role", "skill"],
  "columns": [
    {"name": "week_start", "type": "DATE", "description": "Monday of the posting week (KST dates)"},
    {"name": "role", "type": "STRING", "description": "primary role"},
    {"name": "skill", "type": "STRING", "description": "canonical skill name"},
    {"name": "skill_category", "type": "STRING", "description": "the skill's category"},
    {"name": "postings", "type": "INT64", "description": "distinct postings of the role that week naming the skill"},
    {"name": "role_postings", "type": "INT64", "description": "all postings of the role that week"},
    {"name": "share", "type": "FLOAT64", "description": "postings / role_postings"},
    {"name": "rank", "type": "INT64", "description": "1 = the role's most demanded skill that week (ties broken by skill name)"},
    {"name": "previous_share", "type": "FLOAT64", "description": "the share in the previous calendar week; NULL when the role had no postings that week"},
    {"name": "share_change", "type": "FLOAT64", "description": "share - previous_share (a skill absent the week before counts as 0); NULL without a previous week"}
  ],
  "checks": [
    {"type": "unique", "columns": ["week_start", "role", "skill"]},
    {"type": "not_null", "columns": ["week_start", "role", "skill", "postings", "role_postings", "share", "rank"]}
  ]
}
*/
WITH role_weeks AS (
  SELECT {{ date_trunc "posting_date" "ISOWEEK" }} AS week_start, role, COUNT(*) AS role_postings
  FROM {{ ref "core.recruit" }}
  GROUP BY 1, 2
),
skill_weeks AS (
  SELECT
    {{ date_trunc "posting_date" "ISOWEEK" }} AS week_start,
    role,
    skill,
    ANY_VALUE(skill_category) AS skill_category,
    COUNT(DISTINCT posting_id) AS postings
  FROM {{ ref "core.posting_skills" }}
  GROUP BY 1, 2, 3
),
shares AS (
  SELECT
    s.week_start, s.role, s.skill, s.skill_category, s.postings, w.role_postings,
    SAFE_DIVIDE(s.postings, w.role_postings) AS share
  FROM skill_weeks AS s
  JOIN role_weeks AS w ON w.week_start = s.week_start AND w.role = s.role
)
SELECT
  cur.week_start,
  cur.role,
  cur.skill,
  cur.skill_category,
  cur.postings,
  cur.role_postings,
  cur.share,
  ROW_NUMBER() OVER (PARTITION BY cur.week_start, cur.role ORDER BY cur.postings DESC, cur.skill) AS rank,
  IF(pw.role IS NULL, NULL, COALESCE(prev.share, 0)) AS previous_share,
  IF(pw.role IS NULL, NULL, cur.share - COALESCE(prev.share, 0)) AS share_change
FROM shares AS cur
LEFT JOIN role_weeks AS pw
  ON pw.role = cur.role AND DATE_ADD(pw.week_start, INTERVAL 7 DAY) = cur.week_start
LEFT JOIN shares AS prev
  ON prev.role = cur.role AND prev.skill = cur.skill AND prev.week_start = pw.week_start
