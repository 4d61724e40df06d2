-- Slack app (issue 8): settings changed by admins from Slack, which win over the YAML defaults, and
-- what each user picked on the App Home (so the Home tab can be refreshed after a sync).
-- PostgreSQL dialect of src/store/migrations/006_slack.sql (types as in 001_initial.sql).

-- `/kpi threshold set`: scope_id '' is the organisation.
CREATE TABLE slack_thresholds (
  metric     text NOT NULL,
  scope_kind text NOT NULL CHECK (scope_kind IN ('org', 'team', 'service')),
  scope_id   text NOT NULL,
  warn       double precision NOT NULL,
  critical   double precision NOT NULL,
  set_by     text NOT NULL,
  set_at     bigint NOT NULL,
  PRIMARY KEY (metric, scope_kind, scope_id)
);

-- `/kpi subscribe #channel <team>`: the channel a team's digests and alerts go to.
CREATE TABLE slack_subscriptions (
  team_id    text PRIMARY KEY,
  channel    text NOT NULL,
  set_by     text NOT NULL,
  set_at     bigint NOT NULL
);

-- App Home: the team each user looks at ('' = the organisation) and when they last opened it.
CREATE TABLE slack_home_views (
  user_id    text PRIMARY KEY,
  team_id    text NOT NULL DEFAULT '',
  opened_at  bigint NOT NULL
);
CREATE INDEX slack_home_views_opened ON slack_home_views(opened_at);
