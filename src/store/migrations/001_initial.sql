-- Vitals schema, version 1. Times are UTC epoch milliseconds (INTEGER). Every record that comes from
-- outside is keyed by (source, external_id) so that re-importing or re-syncing it changes nothing.

CREATE TABLE teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  channel     TEXT,
  timezone    TEXT NOT NULL DEFAULT 'UTC'
) STRICT;

CREATE TABLE services (
  id          TEXT PRIMARY KEY,
  name        TEXT,
  team_id     TEXT REFERENCES teams(id) ON DELETE SET NULL,
  -- 1 when the service is declared in the YAML file; 0 when created on the fly by imported data.
  from_config INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX services_team ON services(team_id);

CREATE TABLE deployments (
  id             INTEGER PRIMARY KEY,
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  service_id     TEXT NOT NULL REFERENCES services(id),
  environment    TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('success', 'failure')),
  started_at     INTEGER,
  finished_at    INTEGER NOT NULL,
  sha            TEXT,
  -- external_id of the deployment (same service) this one rolls back, and its resolved row id.
  rollback_of    TEXT,
  rollback_of_id INTEGER REFERENCES deployments(id) ON DELETE SET NULL,
  is_hotfix      INTEGER NOT NULL DEFAULT 0,
  url            TEXT,
  UNIQUE (source, external_id)
) STRICT;
CREATE INDEX deployments_finished ON deployments(finished_at) WHERE status = 'success';
CREATE INDEX deployments_service_finished ON deployments(service_id, finished_at);
CREATE INDEX deployments_sha ON deployments(service_id, sha);
CREATE INDEX deployments_rollback_of ON deployments(rollback_of_id) WHERE rollback_of_id IS NOT NULL;
CREATE INDEX deployments_unresolved_rollback ON deployments(service_id) WHERE rollback_of IS NOT NULL AND rollback_of_id IS NULL;

-- A change is the unit of lead time: a pull request when known (its earliest commit stands for it),
-- otherwise a single commit. first_deployment_id is the first successful production deployment
-- that shipped it; a later deployment of the same change adds no lead-time sample.
CREATE TABLE changes (
  id                  INTEGER PRIMARY KEY,
  service_id          TEXT NOT NULL REFERENCES services(id),
  change_key          TEXT NOT NULL,            -- 'pr:812' or 'sha:9f1c2e…'
  committed_at        INTEGER NOT NULL,          -- earliest commit of the change
  pr_number           INTEGER,
  pr_opened_at        INTEGER,
  pr_first_review_at  INTEGER,
  pr_merged_at        INTEGER,
  pr_size             INTEGER,
  pr_labels           TEXT,                      -- JSON array
  pr_head_branch      TEXT,
  pr_title            TEXT,
  pr_author           TEXT,
  pr_url              TEXT,
  first_deployment_id INTEGER REFERENCES deployments(id) ON DELETE SET NULL,
  first_deployed_at   INTEGER,
  UNIQUE (service_id, change_key)
) STRICT;
CREATE INDEX changes_first_deployed ON changes(first_deployed_at) WHERE first_deployed_at IS NOT NULL;
CREATE INDEX changes_service_first_deployed ON changes(service_id, first_deployed_at) WHERE first_deployed_at IS NOT NULL;

-- Which commits each deployment shipped (sha kept so a change can be found by any of its commits).
CREATE TABLE deployment_changes (
  deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  change_id     INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
  sha           TEXT NOT NULL,
  PRIMARY KEY (deployment_id, sha)
) STRICT, WITHOUT ROWID;
CREATE INDEX deployment_changes_change ON deployment_changes(change_id);

CREATE TABLE incidents (
  id                   INTEGER PRIMARY KEY,
  source               TEXT NOT NULL,
  external_id          TEXT NOT NULL,
  service_id           TEXT REFERENCES services(id),
  external_service     TEXT,                     -- the source's service reference when unmapped
  title                TEXT NOT NULL,
  severity             TEXT,
  urgency              TEXT CHECK (urgency IN ('high', 'low')),
  priority             TEXT,
  status               TEXT,
  created_at           INTEGER NOT NULL,
  acknowledged_at      INTEGER,
  resolved_at          INTEGER,                   -- NULL while open; the last resolution if reopened
  owner_name           TEXT,
  owner_email          TEXT,
  escalation_policy    TEXT,
  url                  TEXT,
  deployment_ref       TEXT,                      -- explicit reference: deployment id or commit sha
  linked_deployment_id INTEGER REFERENCES deployments(id) ON DELETE SET NULL,
  link_rule            TEXT CHECK (link_rule IN ('explicit', 'rollback', 'heuristic', 'manual')),
  UNIQUE (source, external_id)
) STRICT;
CREATE INDEX incidents_resolved ON incidents(resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_created ON incidents(created_at);
CREATE INDEX incidents_service_created ON incidents(service_id, created_at);
CREATE INDEX incidents_open ON incidents(service_id) WHERE resolved_at IS NULL;
CREATE INDEX incidents_linked ON incidents(linked_deployment_id) WHERE linked_deployment_id IS NOT NULL;

-- Pushed or pulled measurements. service_id '' is an organisation-wide sample (e.g. untagged cost).
CREATE TABLE samples (
  service_id TEXT NOT NULL,
  name       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  source     TEXT NOT NULL,
  until_at   INTEGER,
  value      REAL NOT NULL,
  PRIMARY KEY (service_id, name, at, source)
) STRICT, WITHOUT ROWID;
CREATE INDEX samples_name_at ON samples(name, at);

CREATE TABLE annotations (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  at          INTEGER NOT NULL,
  text        TEXT NOT NULL,
  service_id  TEXT,
  team_id     TEXT,
  author      TEXT,
  UNIQUE (source, external_id)
) STRICT;
CREATE INDEX annotations_at ON annotations(at);

-- Post-incident reviews and the reminders sent for them.
CREATE TABLE reviews (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL UNIQUE REFERENCES incidents(id) ON DELETE CASCADE,
  team_id          TEXT,
  owner_slack_id   TEXT,
  owner_email      TEXT,
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'not_needed')),
  opened_at        INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  snoozed_until    INTEGER,
  done_at          INTEGER,
  doc_url          TEXT,
  not_needed_reason TEXT,
  escalated_at     INTEGER
) STRICT;
CREATE INDEX reviews_open ON reviews(status, due_at);

CREATE TABLE review_reminders (
  review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,                  -- 'opened', 'before_due', 'due', 'overdue:<n>', 'escalation'
  sent_at   INTEGER NOT NULL,
  channel   TEXT,
  ts        TEXT,
  PRIMARY KEY (review_id, kind)
) STRICT;

-- Incremental sync state: one row per source and key (e.g. github / acme/checkout:deployments).
CREATE TABLE sync_cursors (
  source          TEXT NOT NULL,
  key             TEXT NOT NULL,
  cursor          TEXT,
  etag            TEXT,
  last_success_at INTEGER,
  last_error      TEXT,
  last_error_at   INTEGER,
  PRIMARY KEY (source, key)
) STRICT;

-- Webhook deliveries already handled (GitHub delivery id, PagerDuty event id).
CREATE TABLE webhook_deliveries (
  source      TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (source, delivery_id)
) STRICT;

-- Threshold alert state per metric and scope: posted once per breach, again on recovery.
CREATE TABLE alert_state (
  metric           TEXT NOT NULL,
  scope_kind       TEXT NOT NULL CHECK (scope_kind IN ('org', 'team', 'service')),
  scope_id         TEXT NOT NULL,           -- '' for the organisation
  status           TEXT NOT NULL CHECK (status IN ('ok', 'warn', 'critical')),
  since_at         INTEGER NOT NULL,
  value            REAL,
  threshold        REAL,
  channel          TEXT,
  message_ts       TEXT,
  acknowledged_by  TEXT,
  acknowledged_at  INTEGER,
  last_notified_at INTEGER,
  PRIMARY KEY (metric, scope_kind, scope_id)
) STRICT;

-- Weekly digests already posted: exactly one per team per week.
CREATE TABLE digests (
  team_id    TEXT NOT NULL,
  week_start TEXT NOT NULL,                 -- ISO date of the week's first day, in the team's zone
  posted_at  INTEGER NOT NULL,
  channel    TEXT,
  ts         TEXT,
  PRIMARY KEY (team_id, week_start)
) STRICT;
