-- Covering indexes for the metric reads (src/store/metric-reads.ts): every answer aggregates one
-- time range per scope, so each read is an index range scan that never touches the table rows.
-- PostgreSQL: the key is the part a read seeks (scope, then time); the columns a read only carries
-- are INCLUDEd (leaf entries only, a smaller tree), in SQLite's order, so the column list of each
-- index is the SQLite one. Index-only scans need the visibility map: autovacuum (or a VACUUM after
-- a large import) keeps them off the table rows.

-- Deployments by time (org scope) and by service and time (team and service scope), carrying
-- what deployment frequency, CFR and rework need.
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at) INCLUDE (status, service_id, rollback_of, is_hotfix);
CREATE INDEX deployments_metrics_service ON deployments(service_id, environment, finished_at) INCLUDE (status, rollback_of, is_hotfix);
-- "Was it rolled back?" for each deployment in the range, by successful rollbacks only.
CREATE INDEX deployments_rolled_back ON deployments(rollback_of_id, status) WHERE rollback_of_id IS NOT NULL;

-- Lead time: changes by the time they first shipped, with the PR timestamps of the breakdown.
CREATE INDEX changes_metrics_time ON changes(first_deployed_at) INCLUDE (service_id, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
CREATE INDEX changes_metrics_service ON changes(service_id, first_deployed_at) INCLUDE (committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;

-- MTTR by resolution time and MTTA by acknowledgement time, org-wide and per service.
CREATE INDEX incidents_metrics_resolved ON incidents(resolved_at) INCLUDE (service_id, created_at, linked_deployment_id) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_metrics_service_resolved ON incidents(service_id, resolved_at) INCLUDE (created_at, linked_deployment_id) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_metrics_acknowledged ON incidents(acknowledged_at) INCLUDE (service_id, created_at, linked_deployment_id) WHERE acknowledged_at IS NOT NULL;
CREATE INDEX incidents_metrics_service_acknowledged ON incidents(service_id, acknowledged_at) INCLUDE (created_at, linked_deployment_id) WHERE acknowledged_at IS NOT NULL;

-- Samples by name and time carrying the value (the primary key leads with the service, which only
-- serves one service at a time).
CREATE INDEX samples_metrics ON samples(name, at) INCLUDE (service_id, value);
