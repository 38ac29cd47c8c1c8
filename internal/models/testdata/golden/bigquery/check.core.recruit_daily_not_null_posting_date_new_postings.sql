SELECT * FROM `my-project.jobpulse_core.recruit_daily` WHERE posting_date IS NULL OR new_postings IS NULL;
