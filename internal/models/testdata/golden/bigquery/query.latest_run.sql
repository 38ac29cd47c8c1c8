-- The newest run in the ledger.
SELECT run_id FROM `my-project.jobpulse_meta.pipeline_runs` ORDER BY started_at DESC, run_id DESC LIMIT 1;
