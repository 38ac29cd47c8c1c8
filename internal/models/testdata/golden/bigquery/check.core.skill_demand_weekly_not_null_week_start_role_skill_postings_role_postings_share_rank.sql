SELECT * FROM `my-project.jobpulse_core.skill_demand_weekly` WHERE week_start IS NULL OR role IS NULL OR skill IS NULL OR postings IS NULL OR role_postings IS NULL OR share IS NULL OR rank IS NULL;
