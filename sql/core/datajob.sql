/* config
{
  "materialized": "table",
  "sources": ["saramin"],
  "description": "core.recruit rows whose role is a data role (data_engineer, data_analyst, data_scientist, ml_engineer): the data-jobs page of the report.",
  "columns_from": "core.recruit",
  "partition_by": "posting_date",
  "cluster_by": ["role", "region_code"],
  "checks": [
    {"type": "unique", "columns": ["posting_id"]},
    {"type": "not_null", "columns": ["posting_id", "posting_date", "role"]},
    {"type": "accepted_values", "column": "role", "values": ["data_engineer", "data_analyst", "data_scientist", "ml_engineer"]}
  ]
}
*/
SELECT *
FROM {{ ref "core.recruit" }}
WHERE role IN ('data_engineer', 'data_analyst', 'data_scientist', 'ml_engineer')
