-- The skills most named by the postings a run brought in (their latest version came
-- from this run), for the run's Slack summary.
SELECT ps.skill, COUNT(DISTINCT ps.posting_id) AS postings
FROM `my-project.jobpulse_core.posting_skills` AS ps
JOIN `my-project.jobpulse_external.saramin_postings` AS e ON e.posting_id = ps.posting_id
WHERE e.run_id = @run_id
GROUP BY ps.skill
ORDER BY postings DESC, ps.skill
LIMIT 5;
