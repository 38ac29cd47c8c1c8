-- Postings in the external layer, counted before and after a run's MERGE to tell new
-- postings from updated ones.
SELECT COUNT(*) AS n FROM `my-project.jobpulse_external.saramin_postings`;
