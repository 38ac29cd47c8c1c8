SELECT * FROM `my-project.jobpulse_staging.google_trends` WHERE run_id IS NULL OR anchor IS NULL OR time_range IS NULL;
