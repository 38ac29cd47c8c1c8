SELECT * FROM `my-project.jobpulse_core.recruit` WHERE role IS NULL OR skill_count IS NULL;
