CREATE OR REPLACE TABLE `my-project.jobpulse_core.market_signals` (
  month DATE OPTIONS (description = "first day of the month (KST dates)"),
  role STRING OPTIONS (description = "primary role"),
  postings INT64 OPTIONS (description = "new postings of the role that month; 0 when none were collected"),
  entry_level_postings INT64 OPTIONS (description = "postings open to newcomers (신입 or 신입·경력 or 경력무관)"),
  entry_level_share FLOAT64 OPTIONS (description = "entry_level_postings / postings; NULL without postings"),
  trend_interest FLOAT64 OPTIONS (description = "mean interest of the role's keywords over the month's complete periods (100 = the anchor's mean level); NULL without trend data"),
  trend_keywords INT64 OPTIONS (description = "keywords averaged into trend_interest"),
  certification_year INT64 OPTIONS (description = "the year of the certification figures: the latest tallied year at or before the month"),
  certification_applicants INT64 OPTIONS (description = "written-exam applicants of the role's exams (meta.role_exams) in certification_year"),
  certification_passers INT64 OPTIONS (description = "written-exam passers of the role's exams in certification_year"),
  certification_exams INT64 OPTIONS (description = "exams summed into the certification figures")
)
PARTITION BY month
CLUSTER BY role
OPTIONS (description = "The three signals side by side, per month and role: new postings and their entry-level share (Saramin), mean search interest of the role's keywords (Google Trends), and the written-exam applicants of the certifications mapped to the role (Q-Net, yearly: the latest tallied year at or before the month).")
AS
WITH postings AS (
  SELECT
    DATE_TRUNC(posting_date, MONTH) AS month,
    role,
    COUNT(*) AS postings,
    COUNTIF(is_entry_level) AS entry_level_postings
  FROM `my-project.jobpulse_core.recruit`
  WHERE posting_date IS NOT NULL AND role IS NOT NULL
  GROUP BY 1, 2
),
trend AS (
  SELECT
    DATE_TRUNC(date, MONTH) AS month,
    role,
    AVG(interest) AS trend_interest,
    COUNT(DISTINCT keyword) AS trend_keywords
  FROM `my-project.jobpulse_core.google_trend`
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
  FROM `my-project.jobpulse_core.certification` AS c
  JOIN `my-project.jobpulse_meta.role_exams` AS r ON r.exam_code = c.exam_code
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
LEFT JOIN cert_years AS c ON c.role = s.role AND c.year = cp.certification_year;
