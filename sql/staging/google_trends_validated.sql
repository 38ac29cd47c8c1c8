/* config
{
  "materialized": "view",
  "sources": ["trends"],
  "description": "Staging trend points with the row-level rule each one breaks (reject_reason NULL when valid). The external layer promotes valid rows and keeps the rest, with their reason, in google_trend_rejected."
}
*/
SELECT
  s.*,
  CASE
    WHEN s.keyword IS NULL OR TRIM(s.keyword) = '' THEN 'missing keyword'
    WHEN ARRAY_LENGTH(s.parse_errors) > 0 THEN CONCAT('unparseable field: ', ARRAY_TO_STRING(s.parse_errors, '; '))
    WHEN s.point_time IS NULL OR s.point_date IS NULL THEN 'missing period'
    WHEN s.interest_raw < 0 OR s.interest_raw > 100 THEN 'interest_raw outside 0..100'
    WHEN s.has_data AND s.interest_raw IS NULL THEN 'hasData without a value'
  END AS reject_reason
FROM {{ ref "staging.google_trends" }} AS s
