SELECT posting_id, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.datajob` GROUP BY posting_id HAVING COUNT(*) > 1;
