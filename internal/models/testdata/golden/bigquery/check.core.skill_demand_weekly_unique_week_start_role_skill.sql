SELECT week_start, role, skill, COUNT(*) AS duplicates FROM `my-project.jobpulse_core.skill_demand_weekly` GROUP BY week_start, role, skill HAVING COUNT(*) > 1;
