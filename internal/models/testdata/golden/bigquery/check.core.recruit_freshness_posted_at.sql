SELECT MAX(posted_at) AS newest FROM `my-project.jobpulse_core.recruit` HAVING MAX(posted_at) IS NULL OR MAX(posted_at) < @freshness_cutoff_72h;
