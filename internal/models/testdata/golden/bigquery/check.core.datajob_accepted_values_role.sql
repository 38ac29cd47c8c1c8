SELECT role, COUNT(*) AS rows_with_value FROM `my-project.jobpulse_core.datajob` WHERE role IS NOT NULL AND NOT role IN UNNEST(@accepted_role) GROUP BY role;
