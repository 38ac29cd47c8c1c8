WITH ext AS (
  SELECT COUNT(*) AS postings, SUM(ARRAY_LENGTH(skills)) AS skills
  FROM `my-project.jobpulse_external.saramin_postings`
)
SELECT
  ext.postings AS external_postings,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit`) AS recruit_rows,
  ext.skills AS external_skills,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.posting_skills`) AS posting_skill_rows,
  (SELECT SUM(new_postings) FROM `my-project.jobpulse_core.recruit_daily`) AS daily_postings,
  (SELECT COUNT(*) FROM `my-project.jobpulse_core.datajob`) AS datajob_rows,
  ext.postings = (SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit`)
    AND COALESCE(ext.skills, 0) = (SELECT COUNT(*) FROM `my-project.jobpulse_core.posting_skills`)
    AND ext.postings = COALESCE((SELECT SUM(new_postings) FROM `my-project.jobpulse_core.recruit_daily`), 0)
    AND (SELECT COUNT(*) FROM `my-project.jobpulse_core.datajob`) = (
      SELECT COUNT(*) FROM `my-project.jobpulse_core.recruit`
      WHERE role IN ('data_engineer', 'data_analyst', 'data_scientist', 'ml_engineer')
    ) AS ok
FROM ext;
