SELECT posting_id, skill, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.posting_skills` GROUP BY posting_id, skill HAVING COUNT(*) > 1;
