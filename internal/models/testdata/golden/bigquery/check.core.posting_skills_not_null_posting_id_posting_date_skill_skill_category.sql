SELECT * FROM `my-project.jobpulse_core.posting_skills` WHERE posting_id IS NULL OR posting_date IS NULL OR skill IS NULL OR skill_category IS NULL;
