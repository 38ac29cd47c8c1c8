SELECT * FROM `my-project.jobpulse_staging.saramin_postings` WHERE run_id IS NULL OR raw_json IS NULL;
