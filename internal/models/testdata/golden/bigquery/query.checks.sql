-- Check results of one run (jobpulse checks --run ID).
SELECT layer, check_name, severity, status, observed, message, description, duration_ms, sample_json
FROM `my-project.jobpulse_meta.check_results`
WHERE run_id = @run_id
ORDER BY checked_at, layer, check_name;
