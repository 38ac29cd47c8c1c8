SELECT * FROM `my-project.jobpulse_external.saramin_postings` WHERE posting_id IS NULL OR posted_at IS NULL OR modified_at IS NULL OR title IS NULL;
