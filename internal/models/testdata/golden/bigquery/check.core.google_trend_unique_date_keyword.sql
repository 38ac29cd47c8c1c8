SELECT date, keyword, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.google_trend` GROUP BY date, keyword HAVING COUNT(*) > 1;
