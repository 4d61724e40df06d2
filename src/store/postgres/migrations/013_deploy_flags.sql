-- Org-wide deployment counts read one small code per deployment from the time index: 1 = a
-- successful deployment, + 2 = it caused a failure, + 4 = it is rework (a rollback or a hotfix),
-- as src/store/migrations/013_deploy_flags.sql indexes it; migration 015 replaces the expression by
-- derived columns. PostgreSQL has no boolean arithmetic, so each term is a CASE (the columns are
-- NOT NULL, so the value is SQLite's); an expression cannot be INCLUDEd, so it is the last key column.
DROP INDEX deployments_metrics_time;
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at,
  ((CASE WHEN status = 'success' THEN 1 ELSE 0 END)
    + 2 * (CASE WHEN status = 'success' AND (linked_incidents > 0 OR successful_rollbacks > 0) THEN 1 ELSE 0 END)
    + 4 * (CASE WHEN status = 'success' AND (rollback_of IS NOT NULL OR is_hotfix = 1) THEN 1 ELSE 0 END)))
  INCLUDE (service_id, status, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
