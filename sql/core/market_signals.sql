/* config
{
  "materialized": "table",
  "description": "The three signals side by side, per month and role: new postings and their entry-level share (Saramin), mean search interest of the role's keywords (Google Trends), and the written-exam applicants of the certifications mapped to the role (Q-Net, yearly: the latest tallied year at or before the month).",
  "partition_by": "month",
  "cluster_by": ["role"],
  "columns": [
    {"name": "month", "type": "DATE", "description": "first day of the month (KST dates)"},
    {"name": "role", "type": "STRING", "description": "primary role"},
    {"name": "postings", "type": "INT64", "description": "new postings of the role that month; 0 when none were collected"},
    {"name": "entry_level_postings", "type": "INT64", "description": "postings open to newcomers (신입 or 신입·경력 or 경력무관)"},
    {"name": "entry_level_share", "type": "FLOAT64", "description": "entry_level_postings / postings; NULL without postings"},
    {"name": "trend_interest", "type": "FLOAT64", "description": "mean interest of the role's keywords over the month's complete periods (100 = the anchor's mean level); NULL without trend data"},
    {"name": "trend_keywords", "type": "INT64", "description": "keywords averaged into trend_interest"},
    {"name": "certification_year", "type": "INT64", "description": "the year of the certification figures: the latest tallied year at or before the month"},
    {"name": "certification_applicants", "type": "INT64", "description": "written-exam applicants of the role's exams (meta.role_exams) in certification_year"},
    {"name": "certification_passers", "type": "INT64", "description": "written-exam passers of the role's exams in certification_year"},
    {"name": "certification_exams", "type": "INT64", "description": "exams summed into the certification figures"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["month", "role", "postings", "entry_level_postings"]},
    {"type": "unique", "columns": ["month", "role"]}
  ]
}
*/
WITH postings AS (
  SELECT
    {{ date_trunc "posting_date" "MONTH" }} AS month,
    role,
    COUNT(*) AS postings,
    COUNTIF(is_entry_level) AS entry_level_postings
  FROM {{ ref "core.recruit" }}
  WHERE posting_date IS NOT NULL AND role IS NOT NULL
  GROUP BY 1, 2
),
trend AS (
  SELECT
    {{ date_trunc "date" "MONTH" }} AS month,
    role,
    AVG(interest) AS trend_interest,
    COUNT(DISTINCT keyword) AS trend_keywords
  FROM {{ ref "core.google_trend" }}
  WHERE role IS NOT NULL AND NOT is_partial AND interest IS NOT NULL
  GROUP BY 1, 2
),
cert_years AS (
  SELECT
    r.role,
    c.year,
    SUM(c.applicants) AS applicants,
    SUM(c.passers) AS passers,
    COUNT(DISTINCT c.exam_code) AS exams
  FROM {{ ref "core.certification" }} AS c
  JOIN {{ ref "meta.role_exams" }} AS r ON r.exam_code = c.exam_code
  WHERE c.stage = 'written' AND c.applicants IS NOT NULL
  GROUP BY 1, 2
),
spine AS (
  SELECT DISTINCT month, role
  FROM (
    SELECT month, role FROM postings
    UNION ALL
    SELECT month, role FROM trend
  ) AS u
),
cert_pick AS (
  SELECT s.month, s.role, MAX(c.year) AS certification_year
  FROM spine AS s
  JOIN cert_years AS c ON c.role = s.role AND c.year <= EXTRACT(YEAR FROM s.month)
  GROUP BY 1, 2
)
SELECT
  s.month,
  s.role,
  COALESCE(p.postings, 0) AS postings,
  COALESCE(p.entry_level_postings, 0) AS entry_level_postings,
  SAFE_DIVIDE(p.entry_level_postings, p.postings) AS entry_level_share,
  t.trend_interest,
  t.trend_keywords,
  cp.certification_year,
  c.applicants AS certification_applicants,
  c.passers AS certification_passers,
  c.exams AS certification_exams
FROM spine AS s
LEFT JOIN postings AS p ON p.month = s.month AND p.role = s.role
LEFT JOIN trend AS t ON t.month = s.month AND t.role = s.role
LEFT JOIN cert_pick AS cp ON cp.month = s.month AND cp.role = s.role
LEFT JOIN cert_years AS c ON c.role = s.role AND c.year = cp.certification_year
