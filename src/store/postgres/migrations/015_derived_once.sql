-- Derived data defined once (issue 12): src/store/derived/definitions.ts holds one SELECT per
-- derived data set, run by the store on every write path and rebuilt in full when its
-- DERIVED_VERSION differs from the one recorded in derived_settings (so the first open after this
-- migration rebuilds everything). The indexed expressions of migrations 011 and 013 go; the
-- covering indexes carry the derived columns instead.
-- PostgreSQL: src/store/migrations/015_derived_once.sql also drops the triggers of migrations 009,
-- 010 and 012; the PostgreSQL versions of those never created them, so there is nothing to drop.

-- Written by the store from the definitions (linked_incidents and successful_rollbacks already are).
ALTER TABLE deployments ADD COLUMN caused_failure bigint NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN is_rework bigint NOT NULL DEFAULT 0;
ALTER TABLE changes ADD COLUMN lead_seconds bigint;
ALTER TABLE changes ADD COLUMN pr_size_bucket bigint;

DROP INDEX deployments_metrics_time;
DROP INDEX deployments_metrics_service;
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at)
  INCLUDE (status, service_id, caused_failure, is_rework, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
CREATE INDEX deployments_metrics_service ON deployments(service_id, environment, finished_at)
  INCLUDE (status, caused_failure, is_rework, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);

DROP INDEX changes_metrics_time;
DROP INDEX changes_metrics_service;
CREATE INDEX changes_metrics_time ON changes(first_deployed_at)
  INCLUDE (lead_seconds, pr_size_bucket, service_id, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
CREATE INDEX changes_metrics_service ON changes(service_id, first_deployed_at)
  INCLUDE (lead_seconds, pr_size_bucket, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
