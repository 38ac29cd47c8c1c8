SELECT keyword, point_date, COUNT(*) AS duplicates FROM `my-project.jobpulse_external.google_trend_points` GROUP BY keyword, point_date HAVING COUNT(*) > 1;
