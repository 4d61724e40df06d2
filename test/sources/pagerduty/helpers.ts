import { Agent } from "node:https";
import type { AppDeps } from "../../../src/app-deps.js";
import { parseEnv } from "../../../src/config/env.js";
import { parseFileConfig } from "../../../src/config/file.js";
import { silentLogger } from "../../../src/log.js";
import { openDatabase } from "../../../src/store/db.js";
import { createStore, DEFAULT_STORE_OPTIONS } from "../../../src/store/index.js";
import type { TestCertificate } from "../../fakes/pagerduty/tls.js";
import { sqliteOf } from "../../support/sqlite-of.js";

export const TOKEN = "u+test-read-only-key";
export const NOW = Date.parse("2026-06-01T12:00:00Z");
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export const CONFIG = `
services:
  - id: checkout
    pagerduty: { service_id: PSVC001 }
  - id: search
    pagerduty: { service_id: PSVC002 }
pagerduty:
  backfill_days: 90
`;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function testDeps(options: { host: string; config?: string; env?: Record<string, string>; now?: () => number }): AppDeps {
  const config = parseFileConfig(options.config ?? CONFIG, "vitals.yml");
  return {
    store: createStore(openDatabase(":memory:"), DEFAULT_STORE_OPTIONS),
    config,
    env: parseEnv({ PAGERDUTY_TOKEN: TOKEN, PAGERDUTY_API_HOST: options.host, PAGERDUTY_WEBHOOK_SECRET: "whsec-current", ...options.env }),
    logger: silentLogger(),
    now: options.now ?? (() => NOW),
  };
}

/** Trust the fake's self-signed certificate; waits are recorded, never slept. */
export function testOverrides(certificate: TestCertificate, extra: { lookup?: Agent["options"]["lookup"] } = {}) {
  const sleeps: number[] = [];
  return {
    sleeps,
    overrides: {
      agent: new Agent({ ca: certificate.cert, ...(extra.lookup ? { lookup: extra.lookup } : {}) }),
      sleep: async (ms: number) => void sleeps.push(ms),
      libraryRetryWaitMs: 0,
    },
  };
}

export function incidentRow(deps: AppDeps, externalId: string) {
  return sqliteOf(deps.store).db.prepare(`SELECT * FROM incidents WHERE source = 'pagerduty' AND external_id = ?`).get(externalId) as
    | Record<string, unknown>
    | undefined;
}
