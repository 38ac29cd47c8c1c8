SELECT * FROM `my-project.jobpulse_external.saramin_postings_rejected` WHERE run_id IS NULL OR reason IS NULL OR raw_json IS NULL;
