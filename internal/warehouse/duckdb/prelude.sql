-- BigQuery compatibility prelude: created in every DuckDB session so the models,
-- written in BigQuery Standard SQL, run unchanged where only names differ. Syntax that
-- differs (SAFE_CAST, DATE_TRUNC's part, EXCEPT, array offsets) is handled by the
-- template helpers instead.
SET TimeZone = 'UTC';
CREATE TYPE IF NOT EXISTS float64 AS DOUBLE;
CREATE TYPE IF NOT EXISTS numeric AS DECIMAL(38, 9);
CREATE OR REPLACE MACRO safe_divide(a, b) AS CASE WHEN b IS NULL OR b = 0 THEN NULL ELSE a / b END;
CREATE OR REPLACE MACRO regexp_contains(s, pattern) AS regexp_matches(s, pattern);
CREATE OR REPLACE MACRO timestamp_seconds(s) AS to_timestamp(s);
CREATE OR REPLACE MACRO parse_date(fmt, s) AS CAST(strptime(s, fmt) AS DATE);
CREATE OR REPLACE MACRO format_date(fmt, d) AS strftime(d, fmt);
CREATE OR REPLACE MACRO logical_or(b) AS bool_or(b);
CREATE OR REPLACE MACRO logical_and(b) AS bool_and(b);
CREATE OR REPLACE MACRO countif(b) AS count_if(b);
CREATE OR REPLACE MACRO to_json_string(x) AS CAST(to_json(x) AS VARCHAR);
