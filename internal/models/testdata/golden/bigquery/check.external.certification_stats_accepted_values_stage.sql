SELECT stage, COUNT(*) AS rows_with_value FROM `my-project.jobpulse_external.certification_stats` WHERE stage IS NOT NULL AND NOT stage IN UNNEST(@accepted_stage) GROUP BY stage;
