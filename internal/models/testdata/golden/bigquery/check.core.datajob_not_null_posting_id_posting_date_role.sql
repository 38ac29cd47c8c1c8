SELECT * FROM `my-project.jobpulse_core.datajob` WHERE posting_id IS NULL OR posting_date IS NULL OR role IS NULL;
