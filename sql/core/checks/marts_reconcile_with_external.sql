/* config
{
  "kind": "assert",
  "severity": "error",
  "sources": ["saramin"],
  "description": "the marts reconcile with external.saramin_postings: one recruit row per posting, one posting_skills row per skill named, recruit_daily sums to recruit, datajob is recruit's data roles"
}
*/
WITH ext AS (
  SELECT COUNT(*) AS postings, SUM(ARRAY_LENGTH(skills)) AS skills
  FROM {{ ref "external.saramin_postings" }}
)
SELECT
  ext.postings AS external_postings,
  (SELECT COUNT(*) FROM {{ ref "core.recruit" }}) AS recruit_rows,
  ext.skills AS external_skills,
  (SELECT COUNT(*) FROM {{ ref "core.posting_skills" }}) AS posting_skill_rows,
  (SELECT SUM(new_postings) FROM {{ ref "core.recruit_daily" }}) AS daily_postings,
  (SELECT COUNT(*) FROM {{ ref "core.datajob" }}) AS datajob_rows,
  ext.postings = (SELECT COUNT(*) FROM {{ ref "core.recruit" }})
    AND COALESCE(ext.skills, 0) = (SELECT COUNT(*) FROM {{ ref "core.posting_skills" }})
    AND ext.postings = COALESCE((SELECT SUM(new_postings) FROM {{ ref "core.recruit_daily" }}), 0)
    AND (SELECT COUNT(*) FROM {{ ref "core.datajob" }}) = (
      SELECT COUNT(*) FROM {{ ref "core.recruit" }}
      WHERE role IN ('data_engineer', 'data_analyst', 'data_scientist', 'ml_engineer')
    ) AS ok
FROM ext
