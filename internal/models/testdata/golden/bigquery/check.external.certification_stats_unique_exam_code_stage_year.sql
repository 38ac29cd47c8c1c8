SELECT exam_code, stage, year, COUNT(*) AS duplicates FROM `my-project.jobpulse_external.certification_stats` GROUP BY exam_code, stage, year HAVING COUNT(*) > 1;
