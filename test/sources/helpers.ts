import type { AppDeps } from "../../src/app-deps.js";
import { parseEnv } from "../../src/config/env.js";
import { parseFileConfig, type FileConfig } from "../../src/config/file.js";
import { silentLogger } from "../../src/log.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { sqliteOf } from "../support/sqlite-of.js";

// Deps for the sources' tests: a private :memory: store, a parsed config, an env from the given
// settings and a fixed clock.

export const SOURCES_CONFIG = `
services:
  - id: checkout
    prometheus: { selector: '{job="checkout"}' }
    sonar: { project_key: acme_checkout }
  - id: search
    prometheus:
      selector: 'service="search"'
      requests: 'sum(increase(search_requests_total[$window]))'
      errors: 'sum(increase(search_failures_total[$window]))'
      latency_bucket: 'search_latency_seconds_bucket{$selector}'
      availability: 'avg(avg_over_time(probe_success{$selector}[$window]))'
  - id: web
teams:
  - { id: shop, name: Shop, services: [checkout, search, web] }
`;

export function sourcesConfig(yaml = SOURCES_CONFIG): FileConfig {
  return parseFileConfig(yaml, "test.yml");
}

export function sourcesDeps(env: Record<string, string> = {}, config: FileConfig = sourcesConfig(), nowMs = Date.parse("2026-05-04T09:30:00Z")): AppDeps {
  const store = createStore(openDatabase(":memory:"));
  store.catalog.syncFromConfig(config);
  return { store, config, env: parseEnv(env), logger: silentLogger(), now: () => nowMs };
}

export interface SampleRow {
  service_id: string;
  name: string;
  at: number;
  source: string;
  until_at: number | null;
  value: number;
}

export function samples(deps: AppDeps, name?: string): SampleRow[] {
  const sql = `SELECT * FROM samples ${name ? "WHERE name = ?" : ""} ORDER BY name, service_id, at`;
  return sqliteOf(deps.store).db.prepare(sql).all(...(name ? [name] : [])) as SampleRow[];
}

export const iso = (ms: number): string => new Date(ms).toISOString();
