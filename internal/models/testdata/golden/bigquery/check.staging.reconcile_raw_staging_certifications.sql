SELECT
  @raw_records AS raw_records,
  COUNT(*) AS staging_rows,
  COUNT(*) = @raw_records AS ok
FROM `my-project.jobpulse_staging.certifications`
WHERE run = @run_id
  AND dt = @dt;
