CREATE TABLE IF NOT EXISTS `my-project.jobpulse_meta.check_results` (
  run_id STRING OPTIONS (description = "run the check ran for"),
  layer STRING OPTIONS (description = "meta, staging, external or core"),
  check_name STRING OPTIONS (description = "check name"),
  model STRING OPTIONS (description = "table checked, when one"),
  severity STRING OPTIONS (description = "error blocks promotion; warn reports"),
  status STRING OPTIONS (description = "pass | fail | error (an error, a timeout or no result: fails closed)"),
  observed INT64 OPTIONS (description = "violating rows, or the number of failing assertion rows"),
  description STRING OPTIONS (description = "what the check asserts"),
  message STRING OPTIONS (description = "why it failed (error text or a summary)"),
  sample_json STRING OPTIONS (description = "up to 5 violating rows as a JSON array"),
  duration_ms INT64 OPTIONS (description = "check duration in milliseconds"),
  bytes_processed INT64 OPTIONS (description = "bytes processed by the check's queries"),
  checked_at TIMESTAMP OPTIONS (description = "when the check ran")
)
PARTITION BY DATE(checked_at)
CLUSTER BY run_id, layer
OPTIONS (description = "One row per check per run: observed value, severity, status and a sample of failing rows.");

ALTER TABLE `my-project.jobpulse_meta.check_results`
  ADD COLUMN IF NOT EXISTS run_id STRING OPTIONS (description = "run the check ran for"),
  ADD COLUMN IF NOT EXISTS layer STRING OPTIONS (description = "meta, staging, external or core"),
  ADD COLUMN IF NOT EXISTS check_name STRING OPTIONS (description = "check name"),
  ADD COLUMN IF NOT EXISTS model STRING OPTIONS (description = "table checked, when one"),
  ADD COLUMN IF NOT EXISTS severity STRING OPTIONS (description = "error blocks promotion; warn reports"),
  ADD COLUMN IF NOT EXISTS status STRING OPTIONS (description = "pass | fail | error (an error, a timeout or no result: fails closed)"),
  ADD COLUMN IF NOT EXISTS observed INT64 OPTIONS (description = "violating rows, or the number of failing assertion rows"),
  ADD COLUMN IF NOT EXISTS description STRING OPTIONS (description = "what the check asserts"),
  ADD COLUMN IF NOT EXISTS message STRING OPTIONS (description = "why it failed (error text or a summary)"),
  ADD COLUMN IF NOT EXISTS sample_json STRING OPTIONS (description = "up to 5 violating rows as a JSON array"),
  ADD COLUMN IF NOT EXISTS duration_ms INT64 OPTIONS (description = "check duration in milliseconds"),
  ADD COLUMN IF NOT EXISTS bytes_processed INT64 OPTIONS (description = "bytes processed by the check's queries"),
  ADD COLUMN IF NOT EXISTS checked_at TIMESTAMP OPTIONS (description = "when the check ran");
