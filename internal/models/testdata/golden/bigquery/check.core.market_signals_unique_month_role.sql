SELECT month, role, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.market_signals` GROUP BY month, role HAVING COUNT(*) > 1;
