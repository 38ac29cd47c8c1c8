SELECT posting_id, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.recruit` GROUP BY posting_id HAVING COUNT(*) > 1;
