-- Exam-stage-year tallies in the external layer, counted before and after a run's MERGE
-- to tell new tallies from updated ones.
SELECT COUNT(*) AS n FROM {{ ref "external.certification_stats" }}
