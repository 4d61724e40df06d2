import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { effectiveConfig } from "../../src/config/effective.js";
import { loadMigrations, migrate, openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const yaml = `
teams:
  - { id: payments, name: Payments, channel: C0OLDCHAN1, services: [checkout] }
  - { id: growth, name: Growth }
thresholds:
  - { metric: mttr, warn: 4, critical: 8, team: payments }
  - { metric: mttr, warn: 6, critical: 12 }
`;

describe("settings changed from Slack win over vitals.yml", () => {
  const config = parseFileConfig(yaml, "vitals.yml");

  it("a stored threshold replaces the YAML one for the same metric and scope only", () => {
    const effective = effectiveConfig(config, {
      thresholds: [{ metric: "mttr", scope_kind: "team", scope_id: "payments", warn: 2, critical: 24 }],
      subscriptions: [],
    });
    expect(effective.thresholds).toEqual([
      { metric: "mttr", warn: 6, critical: 12 },
      { metric: "mttr", warn: 2, critical: 24, team: "payments" },
    ]);
  });

  it("a subscription sets the team's channel; no settings leaves the config as is", () => {
    const effective = effectiveConfig(config, { thresholds: [], subscriptions: [{ team_id: "growth", channel: "C0GROWTH99" }] });
    expect(effective.teams.map((t) => t.channel)).toEqual(["C0OLDCHAN1", "C0GROWTH99"]);
    expect(effectiveConfig(config, { thresholds: [], subscriptions: [] })).toBe(config);
  });

  it("the store keeps one threshold per metric and scope, the last one set", () => {
    const store = createStore(openDatabase(":memory:"));
    const before = store.slack.revision();
    store.slack.setThreshold({ metric: "lead_time", scope_kind: "org", scope_id: null, warn: 24, critical: 72, set_by: "U1", set_at: 1 });
    store.slack.setThreshold({ metric: "lead_time", scope_kind: "org", scope_id: null, warn: 48, critical: 96, set_by: "U2", set_at: 2 });
    expect(store.slack.thresholds()).toEqual([{ metric: "lead_time", scope_kind: "org", scope_id: "", warn: 48, critical: 96, set_by: "U2", set_at: 2 }]);
    expect(store.slack.revision()).toBe(before + 2);
  });

  it("migration 006 creates the Slack tables, and running the migrations again changes nothing", () => {
    const db = openDatabase(":memory:");
    migrate(db, loadMigrations());
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'slack_%' ORDER BY name").pluck().all();
    expect(tables).toEqual(["slack_home_views", "slack_subscriptions", "slack_thresholds"]);
  });
});
