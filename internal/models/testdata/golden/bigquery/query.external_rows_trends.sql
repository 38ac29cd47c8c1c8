-- Trend points in the external layer, counted before and after a run's MERGE to tell
-- new points from updated ones.
SELECT COUNT(*) AS n FROM `my-project.jobpulse_external.google_trend_points`;
