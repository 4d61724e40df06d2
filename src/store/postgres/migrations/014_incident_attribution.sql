-- Incident attribution people can trust (issue 16): which incidents count, "not caused by a
-- change", and links confirmed by people. See docs/incident-attribution.md. PostgreSQL dialect of
-- src/store/migrations/014_incident_attribution.sql (types as in 001_initial.sql).

-- From the source record: 0 = the source says no deployment caused it (`change_caused: false`).
ALTER TABLE incidents ADD COLUMN change_caused bigint CHECK (change_caused IN (0, 1));
-- Derived from the `incidents.change_failure` / `incidents.recovery` filters in force for the
-- incident's service (1 = it counts). Re-derived when the filters change (derived_settings).
ALTER TABLE incidents ADD COLUMN counts_change_failure bigint NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN counts_recovery bigint NOT NULL DEFAULT 1;
-- A person's verdict (`/kpi link`, or an answer to a confirmation message), kept apart from the
-- source's fields so that no sync or re-import undoes it: the deployment that caused it, or
-- 'unrelated' (caused by no deployment). linked_deployment_id stays the link in force.
ALTER TABLE incidents ADD COLUMN verdict text CHECK (verdict IN ('deployment', 'unrelated'));
ALTER TABLE incidents ADD COLUMN verdict_deployment_id bigint REFERENCES deployments(id) ON DELETE SET NULL;
ALTER TABLE incidents ADD COLUMN verdict_by text;
ALTER TABLE incidents ADD COLUMN verdict_at bigint;
-- 'command' (`/kpi link`) or 'confirmation' (a button of the confirmation message).
ALTER TABLE incidents ADD COLUMN verdict_via text;
UPDATE incidents SET verdict = 'deployment', verdict_deployment_id = linked_deployment_id, verdict_via = 'command'
  WHERE link_rule = 'manual' AND linked_deployment_id IS NOT NULL;

-- Settings the derived columns were computed with (key 'incident_filters': the filters' fingerprint).
CREATE TABLE derived_settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- The one confirmation message per heuristic link (and its one reminder). In SQLite incident_id is
-- a rowid alias (INTEGER PRIMARY KEY); it is always the incident's id, never generated, so here it
-- is a plain bigint key, not an identity.
CREATE TABLE link_confirmations (
  incident_id    bigint PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  deployment_id  bigint NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  owner_slack_id text,
  sent_at        bigint NOT NULL,
  channel        text,
  ts             text,
  reminded_at    bigint,
  answered_at    bigint,
  answered_by    text
);
CREATE INDEX link_confirmations_waiting ON link_confirmations(sent_at) WHERE answered_at IS NULL AND reminded_at IS NULL;

-- MTTR/MTTA read only incidents that count toward recovery: the covering indexes carry the flag.
DROP INDEX incidents_metrics_resolved;
DROP INDEX incidents_metrics_service_resolved;
DROP INDEX incidents_metrics_acknowledged;
DROP INDEX incidents_metrics_service_acknowledged;
CREATE INDEX incidents_metrics_resolved ON incidents(resolved_at) INCLUDE (service_id, created_at, linked_deployment_id, counts_recovery) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_metrics_service_resolved ON incidents(service_id, resolved_at) INCLUDE (created_at, linked_deployment_id, counts_recovery) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_metrics_acknowledged ON incidents(acknowledged_at) INCLUDE (service_id, created_at, linked_deployment_id, counts_recovery) WHERE acknowledged_at IS NOT NULL;
CREATE INDEX incidents_metrics_service_acknowledged ON incidents(service_id, acknowledged_at) INCLUDE (created_at, linked_deployment_id, counts_recovery) WHERE acknowledged_at IS NOT NULL;
