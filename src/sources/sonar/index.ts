import { sourceHost, type SourceFailure } from "../errors.js";
import type { AppDeps } from "../../app-deps.js";
import type { SampleName } from "../../domain/metric-ids.js";
import type { VitalsRecord } from "../../domain/records.js";
import { DAY_MS } from "../../domain/scope.js";
import type { SyncOptions, SyncReport, SyncSource } from "../types.js";
import { createSonarClient, SonarError, type MetricHistory } from "./client.js";

// `vitals sync sonar` and the scheduled sync: coverage and technical debt ratio per project, one
// sample per analysis, from api/measures/search_history (which also serves the backfill). The
// cursor is the last analysis seen; the next sync asks from there (that analysis again is
// unchanged). A failing project is recorded and reported; its stored data stays as it was.

const SOURCE = "sonar";

/** SonarQube metric keys → sample names. sqale_debt_ratio is remediation cost ÷ development cost, in percent. */
const METRICS: Readonly<Record<string, SampleName>> = { coverage: "coverage_pct", sqale_debt_ratio: "tech_debt_ratio_pct" };

export const sonarSource: SyncSource = {
  name: "sonar",
  configured: ({ env, config }) => Boolean(env.SONAR_URL && env.SONAR_TOKEN) && config.services.some((s) => s.sonar),
  sync: syncSonar,
};

async function syncSonar(deps: AppDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const report = { source: SOURCE, fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] as string[], failures: [] as SourceFailure[] };
  if (!deps.env.SONAR_URL) return { ...report, notes: ["SonarQube is not configured: set SONAR_URL (and SONAR_TOKEN)"] };
  const targets = deps.config.services.flatMap((s) => (s.sonar ? [{ service: s.id, projectKey: s.sonar.project_key }] : []));
  if (targets.length === 0) return { ...report, notes: ["no service in the config file has a sonar.project_key"] };
  const client = createSonarClient(deps.env.SONAR_URL, deps.env.SONAR_TOKEN, options.signal);

  for (const { service, projectKey } of targets) {
    if (options.signal?.aborted) break;
    const log = deps.logger.child({ source: SOURCE, service, projectKey });
    const cursor = (await deps.store.syncState.cursor(SOURCE, service))?.cursor;
    const days = options.backfillDays ?? (cursor ? undefined : deps.config.sonar.backfill_days);
    const fromMs = days !== undefined ? deps.now() - days * DAY_MS : Date.parse(cursor!);
    try {
      let history = await client.searchHistory(projectKey, Object.keys(METRICS), sonarDate(fromMs));
      // A project not analysed within the backfill still has a current level: keep its latest analysis.
      if (!cursor && history.every((m) => m.history.length === 0)) history = await client.latestAnalysis(projectKey, Object.keys(METRICS));
      const { records, lastMs, problems } = toSamples(history, service, projectKey);
      if (problems.length > 0) throw new SonarError(problems.join("; "));
      const next = lastMs === undefined ? (cursor ?? sonarIso(fromMs)) : sonarIso(Math.max(lastMs, cursor ? Date.parse(cursor) : 0));
      // The samples and the cursor past them are one unit of work.
      const result = (await deps.store.write(records, { cursor: { source: SOURCE, key: service, cursor: next, etag: null, atMs: deps.now() } })).samples;
      if (records.length === 0 && !cursor) report.notes.push(`${service}: SonarQube has no coverage or debt ratio analyses of ${projectKey}`);
      report.fetched += records.length;
      report.inserted += result.inserted;
      report.updated += result.updated;
      report.unchanged += result.unchanged;
      log.info({ samples: records.length, ...result }, "SonarQube sync done");
    } catch (error) {
      const message = (error as Error).message;
      await deps.store.syncState.recordFailure(SOURCE, service, message, deps.now());
      log.error({ err: error }, "SonarQube sync failed");
      report.notes.push(`failed: ${service} (${projectKey}): ${message}; its stored data is unchanged`);
      report.failures.push({ source: SOURCE, host: sourceHost(SOURCE, deps.env), cause: message, subject: `${service} (${projectKey})` });
    }
  }
  return report;
}

/** One sample per metric and analysis; analyses without the metric (e.g. no coverage report) are skipped. */
function toSamples(history: readonly MetricHistory[], service: string, projectKey: string): { records: VitalsRecord[]; lastMs?: number; problems: string[] } {
  const records: VitalsRecord[] = [];
  const problems: string[] = [];
  let lastMs: number | undefined;
  for (const { metric, history: points } of history) {
    const name = METRICS[metric];
    if (!name) continue;
    for (const point of points) {
      const atMs = Date.parse(point.date);
      if (Number.isNaN(atMs)) {
        problems.push(`${projectKey}: ${metric}: expected an analysis date, got "${point.date}"`);
        continue;
      }
      lastMs = Math.max(lastMs ?? atMs, atMs);
      if (point.value === undefined || point.value === "") continue;
      const value = Number(point.value);
      // A debt ratio can pass 100% (more to fix than was built); coverage cannot.
      if (!Number.isFinite(value) || value < 0 || (metric === "coverage" && value > 100)) {
        problems.push(`${projectKey}: ${metric} at ${point.date}: expected a percentage${metric === "coverage" ? " from 0 to 100" : " of 0 or more"}, got "${point.value}"`);
        continue;
      }
      records.push({ kind: "metric", source: "sonar", service, name, atMs, value });
    }
  }
  return { records, lastMs, problems };
}

/** SonarQube's date-time parameter format, e.g. 2026-05-04T10:00:00+0000. */
function sonarDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

const sonarIso = (ms: number): string => new Date(ms).toISOString();
