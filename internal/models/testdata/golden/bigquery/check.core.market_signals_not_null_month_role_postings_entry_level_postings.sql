SELECT * FROM `my-project.jobpulse_core.market_signals` WHERE month IS NULL OR role IS NULL OR postings IS NULL OR entry_level_postings IS NULL;
