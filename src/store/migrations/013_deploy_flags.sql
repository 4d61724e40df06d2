-- Org-wide deployment counts read one small code per deployment from the time index: 1 = a
-- successful deployment, + 2 = it caused a failure, + 4 = it is rework (a rollback or a hotfix).
-- Grouping by service and period in SQL took a seek per service and period (`vitals bench`); the
-- expression must stay identical to DEPLOY_FLAGS in src/store/delivery-reads.ts
-- (test/store/derived.test.ts checks).
DROP INDEX deployments_metrics_time;
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at,
  ((status = 'success') + 2 * (status = 'success' AND (linked_incidents > 0 OR successful_rollbacks > 0)) + 4 * (status = 'success' AND (rollback_of IS NOT NULL OR is_hotfix = 1))),
  service_id, status, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
