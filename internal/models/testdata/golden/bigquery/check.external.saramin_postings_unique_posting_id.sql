SELECT posting_id, COUNT(*) AS duplicates FROM `my-project.jobpulse_external.saramin_postings` GROUP BY posting_id HAVING COUNT(*) > 1;
