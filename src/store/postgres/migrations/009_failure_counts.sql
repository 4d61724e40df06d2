-- "Did this deployment cause a failure?" (docs/metrics.md: an incident linked to it, or a successful
-- rollback of it) kept on the deployment itself, as src/store/migrations/009_failure_counts.sql does.
-- PostgreSQL: that migration's six triggers are omitted. Migration 015 drops them again (the store
-- writes these counts from src/store/derived/definitions.ts), and no PostgreSQL database predates
-- 015, so the end state is identical; a PostgreSQL database at this version has the columns and
-- indexes of SQLite's, without the triggers.

ALTER TABLE deployments ADD COLUMN linked_incidents bigint NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN successful_rollbacks bigint NOT NULL DEFAULT 0;

UPDATE deployments SET
  linked_incidents = (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = deployments.id),
  successful_rollbacks = (SELECT count(*) FROM deployments r WHERE r.rollback_of_id = deployments.id AND r.status = 'success');

-- The covering indexes of migration 002, now carrying the counts.
DROP INDEX deployments_metrics_time;
DROP INDEX deployments_metrics_service;
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at) INCLUDE (status, service_id, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
CREATE INDEX deployments_metrics_service ON deployments(service_id, environment, finished_at) INCLUDE (status, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
