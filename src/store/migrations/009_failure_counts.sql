-- "Did this deployment cause a failure?" (METRICS.md: an incident linked to it, or a successful
-- rollback of it) kept on the deployment itself. Reading it through two index probes per
-- deployment made change failure rate the slowest org-wide answer (`vitals bench`); triggers keep
-- the counts exact on every write path (links, relinks, manual links, rollbacks resolved later).

ALTER TABLE deployments ADD COLUMN linked_incidents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN successful_rollbacks INTEGER NOT NULL DEFAULT 0;

UPDATE deployments SET
  linked_incidents = (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = deployments.id),
  successful_rollbacks = (SELECT count(*) FROM deployments r WHERE r.rollback_of_id = deployments.id AND r.status = 'success');

CREATE TRIGGER incidents_link_insert AFTER INSERT ON incidents WHEN NEW.linked_deployment_id IS NOT NULL
BEGIN
  UPDATE deployments SET linked_incidents = linked_incidents + 1 WHERE id = NEW.linked_deployment_id;
END;
CREATE TRIGGER incidents_link_delete AFTER DELETE ON incidents WHEN OLD.linked_deployment_id IS NOT NULL
BEGIN
  UPDATE deployments SET linked_incidents = linked_incidents - 1 WHERE id = OLD.linked_deployment_id;
END;
CREATE TRIGGER incidents_link_update AFTER UPDATE OF linked_deployment_id ON incidents
  WHEN OLD.linked_deployment_id IS NOT NEW.linked_deployment_id
BEGIN
  UPDATE deployments SET linked_incidents = linked_incidents - 1 WHERE id = OLD.linked_deployment_id;
  UPDATE deployments SET linked_incidents = linked_incidents + 1 WHERE id = NEW.linked_deployment_id;
END;

CREATE TRIGGER deployments_rollback_insert AFTER INSERT ON deployments
  WHEN NEW.rollback_of_id IS NOT NULL AND NEW.status = 'success'
BEGIN
  UPDATE deployments SET successful_rollbacks = successful_rollbacks + 1 WHERE id = NEW.rollback_of_id;
END;
CREATE TRIGGER deployments_rollback_delete AFTER DELETE ON deployments
  WHEN OLD.rollback_of_id IS NOT NULL AND OLD.status = 'success'
BEGIN
  UPDATE deployments SET successful_rollbacks = successful_rollbacks - 1 WHERE id = OLD.rollback_of_id;
END;
CREATE TRIGGER deployments_rollback_update AFTER UPDATE OF rollback_of_id, status ON deployments
  WHEN OLD.rollback_of_id IS NOT NEW.rollback_of_id OR OLD.status IS NOT NEW.status
BEGIN
  UPDATE deployments SET successful_rollbacks = successful_rollbacks - 1 WHERE id = OLD.rollback_of_id AND OLD.status = 'success';
  UPDATE deployments SET successful_rollbacks = successful_rollbacks + 1 WHERE id = NEW.rollback_of_id AND NEW.status = 'success';
END;

-- The covering indexes of migration 002, now carrying the counts.
DROP INDEX deployments_metrics_time;
DROP INDEX deployments_metrics_service;
CREATE INDEX deployments_metrics_time ON deployments(environment, finished_at, status, service_id, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
CREATE INDEX deployments_metrics_service ON deployments(service_id, environment, finished_at, status, rollback_of, is_hotfix, linked_incidents, successful_rollbacks);
