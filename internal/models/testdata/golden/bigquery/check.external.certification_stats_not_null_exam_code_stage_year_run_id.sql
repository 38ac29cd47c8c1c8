SELECT * FROM `my-project.jobpulse_external.certification_stats` WHERE exam_code IS NULL OR stage IS NULL OR year IS NULL OR run_id IS NULL;
