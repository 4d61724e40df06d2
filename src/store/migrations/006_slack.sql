-- Slack app (issue 8): settings changed by admins from Slack, which win over the YAML defaults, and
-- what each user picked on the App Home (so the Home tab can be refreshed after a sync).

-- `/kpi threshold set`: scope_id '' is the organisation.
CREATE TABLE slack_thresholds (
  metric     TEXT NOT NULL,
  scope_kind TEXT NOT NULL CHECK (scope_kind IN ('org', 'team', 'service')),
  scope_id   TEXT NOT NULL,
  warn       REAL NOT NULL,
  critical   REAL NOT NULL,
  set_by     TEXT NOT NULL,
  set_at     INTEGER NOT NULL,
  PRIMARY KEY (metric, scope_kind, scope_id)
) STRICT;

-- `/kpi subscribe #channel <team>`: the channel a team's digests and alerts go to.
CREATE TABLE slack_subscriptions (
  team_id    TEXT PRIMARY KEY,
  channel    TEXT NOT NULL,
  set_by     TEXT NOT NULL,
  set_at     INTEGER NOT NULL
) STRICT;

-- App Home: the team each user looks at ('' = the organisation) and when they last opened it.
CREATE TABLE slack_home_views (
  user_id    TEXT PRIMARY KEY,
  team_id    TEXT NOT NULL DEFAULT '',
  opened_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX slack_home_views_opened ON slack_home_views(opened_at);
