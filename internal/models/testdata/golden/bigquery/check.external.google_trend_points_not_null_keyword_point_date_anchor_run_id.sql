SELECT * FROM `my-project.jobpulse_external.google_trend_points` WHERE keyword IS NULL OR point_date IS NULL OR anchor IS NULL OR run_id IS NULL;
