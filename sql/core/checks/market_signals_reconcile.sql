/* config
{
  "kind": "assert",
  "severity": "error",
  "description": "market_signals reconciles with its inputs: its postings sum to core.recruit's classified postings, and every role-month with complete trend points has a trend value"
}
*/
SELECT
  (SELECT COUNT(*) FROM {{ ref "core.recruit" }} WHERE posting_date IS NOT NULL AND role IS NOT NULL) AS recruit_postings,
  (SELECT COALESCE(SUM(postings), 0) FROM {{ ref "core.market_signals" }}) AS signal_postings,
  (SELECT COUNT(*) FROM {{ ref "core.market_signals" }} WHERE trend_interest IS NOT NULL) AS trend_months,
  (SELECT COUNT(DISTINCT CONCAT(CAST({{ date_trunc "date" "MONTH" }} AS STRING), '|', role))
   FROM {{ ref "core.google_trend" }}
   WHERE role IS NOT NULL AND NOT is_partial AND interest IS NOT NULL) AS trend_role_months,
  (SELECT COUNT(*) FROM {{ ref "core.recruit" }} WHERE posting_date IS NOT NULL AND role IS NOT NULL)
    = (SELECT COALESCE(SUM(postings), 0) FROM {{ ref "core.market_signals" }})
  AND (SELECT COUNT(*) FROM {{ ref "core.market_signals" }} WHERE trend_interest IS NOT NULL)
    = (SELECT COUNT(DISTINCT CONCAT(CAST({{ date_trunc "date" "MONTH" }} AS STRING), '|', role))
       FROM {{ ref "core.google_trend" }}
       WHERE role IS NOT NULL AND NOT is_partial AND interest IS NOT NULL) AS ok
