SELECT
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit` WHERE posting_date IS NOT NULL AND role IS NOT NULL) AS recruit_postings,
  (SELECT COALESCE(SUM(postings), 0) FROM `my-project.jobpulse_core.market_signals`) AS signal_postings,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.market_signals` WHERE trend_interest IS NOT NULL) AS trend_months,
  (SELECT COUNT(DISTINCT CONCAT(CAST(DATE_TRUNC(date, MONTH) AS STRING), '|', role))
   FROM `my-project.jobpulse_core.google_trend`
   WHERE role IS NOT NULL AND NOT is_partial AND interest IS NOT NULL) AS trend_role_months,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit` WHERE posting_date IS NOT NULL AND role IS NOT NULL)
    = (SELECT COALESCE(SUM(postings), 0) FROM `my-project.jobpulse_core.market_signals`)
  AND (SELECT COUNT(*) FROM `my-project.jobpulse_core.market_signals` WHERE trend_interest IS NOT NULL)
    = (SELECT COUNT(DISTINCT CONCAT(CAST(DATE_TRUNC(date, MONTH) AS STRING), '|', role))
       FROM `my-project.jobpulse_core.google_trend`
       WHERE role IS NOT NULL AND NOT is_partial AND interest IS NOT NULL) AS ok;
