/* config
{
  "materialized": "table",
  "description": "Q-Net yearly applicants and passers per exam and stage (written 필기, practical 실기), with the pass rate. The current year is not tallied until the next.",
  "partition_by": "year_start",
  "cluster_by": ["exam_code", "stage"],
  "columns": [
    {"name": "year", "type": "INT64", "description": "exam year"},
    {"name": "year_start", "type": "DATE", "description": "January 1 of the year, for date axes in Looker Studio"},
    {"name": "exam_code", "type": "STRING", "description": "Q-Net exam code (jmCd)"},
    {"name": "exam_name", "type": "STRING", "description": "exam name in Korean (meta.exams, else as Q-Net answered)"},
    {"name": "exam_name_en", "type": "STRING", "description": "exam name in English; NULL for an exam missing from meta.exams"},
    {"name": "grade", "type": "STRING", "description": "qualification grade: 기사, 산업기사, 기능사, 1급, 2급"},
    {"name": "stage", "type": "STRING", "description": "written (필기) or practical (실기)"},
    {"name": "applicants", "type": "INT64", "description": "applicants"},
    {"name": "passers", "type": "INT64", "description": "passers"},
    {"name": "pass_rate", "type": "FLOAT64", "description": "passers / applicants (0..1)"}
  ],
  "checks": [
    {"type": "not_null", "columns": ["year", "exam_code", "stage", "exam_name"]},
    {"type": "unique", "columns": ["exam_code", "stage", "year"]}
  ]
}
*/
SELECT
  s.year,
  PARSE_DATE('%Y-%m-%d', CONCAT(CAST(s.year AS STRING), '-01-01')) AS year_start,
  s.exam_code,
  COALESCE(e.exam_name, s.exam_name, s.exam_code) AS exam_name,
  e.exam_name_en,
  e.grade,
  s.stage,
  s.applicants,
  s.passers,
  s.pass_rate
FROM {{ ref "external.certification_stats" }} AS s
LEFT JOIN {{ ref "meta.exams" }} AS e ON e.exam_code = s.exam_code
