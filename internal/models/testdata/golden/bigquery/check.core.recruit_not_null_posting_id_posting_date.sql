SELECT * FROM `my-project.jobpulse_core.recruit` WHERE posting_id IS NULL OR posting_date IS NULL;
