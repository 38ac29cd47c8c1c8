/* config
{
  "materialized": "view",
  "sources": ["saramin"],
  "description": "Staging rows with the row-level rule each one breaks (reject_reason NULL when valid). The external layer promotes valid rows and keeps the rest, with their reason, in saramin_postings_rejected."
}
*/
SELECT
  s.*,
  CASE
    WHEN s.posting_id IS NULL OR TRIM(s.posting_id) = '' THEN 'missing posting id'
    WHEN ARRAY_LENGTH(s.parse_errors) > 0 THEN CONCAT('unparseable field: ', ARRAY_TO_STRING(s.parse_errors, '; '))
    WHEN s.posted_at IS NULL THEN 'missing posting time'
    WHEN s.modified_at IS NULL THEN 'missing modification time'
    WHEN s.title IS NULL OR TRIM(s.title) = '' THEN 'missing title'
  END AS reject_reason
FROM {{ ref "staging.saramin_postings" }} AS s
