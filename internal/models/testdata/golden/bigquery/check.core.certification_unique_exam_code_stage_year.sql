SELECT exam_code, stage, year, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.certification` GROUP BY exam_code, stage, year HAVING COUNT(*) > 1;
