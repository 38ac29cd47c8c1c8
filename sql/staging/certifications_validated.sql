/* config
{
  "materialized": "view",
  "sources": ["qnet"],
  "description": "Staging certification rows with the row-level rule each one breaks (reject_reason NULL when valid). The external layer promotes valid rows and keeps the rest, with their reason, in certification_rejected."
}
*/
SELECT
  s.*,
  CASE
    WHEN s.exam_code IS NULL OR TRIM(s.exam_code) = '' THEN 'missing exam code'
    WHEN s.stage IS NULL OR s.stage NOT IN ('written', 'practical') THEN 'unknown stage'
    WHEN ARRAY_LENGTH(s.parse_errors) > 0 THEN CONCAT('unparseable field: ', ARRAY_TO_STRING(s.parse_errors, '; '))
    WHEN s.year IS NULL OR s.year < s.base_year - 4 OR s.year > s.base_year THEN 'year outside the five-year window'
    WHEN s.applicants < 0 OR s.passers < 0 THEN 'negative count'
    WHEN s.passers > s.applicants THEN 'more passers than applicants'
  END AS reject_reason
FROM {{ ref "staging.certifications" }} AS s
