SELECT * FROM `my-project.jobpulse_core.certification` WHERE year IS NULL OR exam_code IS NULL OR stage IS NULL OR exam_name IS NULL;
