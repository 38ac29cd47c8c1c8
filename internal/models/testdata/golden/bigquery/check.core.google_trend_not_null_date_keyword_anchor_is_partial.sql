SELECT * FROM `my-project.jobpulse_core.google_trend` WHERE date IS NULL OR keyword IS NULL OR anchor IS NULL OR is_partial IS NULL;
