import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// manifest.yml must be a valid Slack app manifest (Slack's own JSON schema from slackapi/manifest-schema,
// MIT, commit c50cfa8, copied with its licence into test/fixtures so the check runs on any clone) and
// request exactly the scopes the code uses.

const schemaPath = new URL("../fixtures/slack-manifest-schema/manifest.schema.1.0.0.json", import.meta.url);
const manifest = parse(readFileSync(new URL("../../manifest.yml", import.meta.url), "utf8")) as {
  features: { slash_commands: { command: string; usage_hint?: string }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { is_enabled: boolean }; event_subscriptions: { bot_events: string[] } };
};

function validator() {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, unknown>;
  // The schema uses Slack's own "regex"/"markdownDescription" keywords: allowed, not enforced.
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe("manifest.yml", () => {
  it("validates against Slack's manifest schema", () => {
    const validate = validator();
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check does fail on a broken manifest", () => {
    const validate = validator();
    expect(validate({ ...manifest, display_information: { name: "" } })).toBe(false);
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: "kpi" }] } })).toBe(false);
  });

  it("declares /kpi with a usage hint, the Home tab, interactivity and Socket Mode", () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(["/kpi"]);
    expect(manifest.features.slash_commands[0]!.usage_hint).toBeTruthy();
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
  });

  it("asks for the bot scopes the code uses and no more", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(["chat:write", "commands", "files:write", "users:read", "users:read.email"]);
  });
});
