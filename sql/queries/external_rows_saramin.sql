-- Postings in the external layer, counted before and after a run's MERGE to tell new
-- postings from updated ones.
SELECT COUNT(*) AS n FROM {{ ref "external.saramin_postings" }}
