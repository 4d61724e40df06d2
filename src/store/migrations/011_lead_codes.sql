-- Lead time reads one packed code per change shipped in the frame: the lead in whole seconds × 8 +
-- the PR-size bucket (0 XS … 4 XL, 5 unknown), or −1 for a lead ≤ 0 (excluded, counted). Computing
-- it per row was most of the org-wide lead-time read (`vitals bench`); kept in the indexes of
-- migration 002, SQLite reads it from there. The expression must stay identical to LEAD_CODE in
-- src/store/delivery-reads.ts (test/store/derived.test.ts checks).
DROP INDEX changes_metrics_service;
CREATE INDEX changes_metrics_service ON changes(service_id, first_deployed_at,
  (CASE WHEN first_deployed_at > committed_at THEN ((first_deployed_at - committed_at) / 1000) * 8 + CASE WHEN pr_size IS NULL THEN 5 WHEN pr_size < 10 THEN 0 WHEN pr_size < 100 THEN 1 WHEN pr_size < 500 THEN 2 WHEN pr_size < 1000 THEN 3 ELSE 4 END ELSE -1 END),
  committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
DROP INDEX changes_metrics_time;
CREATE INDEX changes_metrics_time ON changes(first_deployed_at,
  (CASE WHEN first_deployed_at > committed_at THEN ((first_deployed_at - committed_at) / 1000) * 8 + CASE WHEN pr_size IS NULL THEN 5 WHEN pr_size < 10 THEN 0 WHEN pr_size < 100 THEN 1 WHEN pr_size < 500 THEN 2 WHEN pr_size < 1000 THEN 3 ELSE 4 END ELSE -1 END),
  service_id, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
