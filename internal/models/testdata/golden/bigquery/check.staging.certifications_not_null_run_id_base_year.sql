SELECT * FROM `my-project.jobpulse_staging.certifications` WHERE run_id IS NULL OR base_year IS NULL;
