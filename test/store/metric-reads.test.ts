import { beforeAll, describe, expect, it } from "vitest";
import { buildFrame, type Frame } from "../../src/metrics/frame.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import type { SqliteMetricReads } from "../../src/store/metric-reads.js";

// Org-wide, several reads take their own fast path (time-index lists tallied in JavaScript, per-day
// sums plus edges, outages only where needed); a team or service takes the grouped path. Over the
// demo data, the org path must give exactly what the scoped path gives for every service.

const NOW = Date.parse("2026-11-23T10:00:00Z");
const DAY = 86_400_000;
let store: SqliteStore;
let reads: SqliteMetricReads;
let all: string[];

beforeAll(() => {
  store = createStore(openDatabase(":memory:"));
  for (const batch of demoRecordBatches({ nowMs: NOW, days: 150 })) store.write(batch);
  reads = store.reads.metric;
  all = reads.knownServices();
});

// A mid-morning "now" in zones with whole, half-hour and DST-changing offsets (weeks start at local midnight).
const frames: Array<[string, Frame]> = [
  ["UTC, last 30 days", buildFrame({ fromMs: NOW - 30 * DAY, toMs: NOW }, "UTC")],
  ["New York, over the November DST change", buildFrame({ fromMs: Date.parse("2026-10-20T13:17:00Z"), toMs: Date.parse("2026-11-19T13:17:00Z") }, "America/New_York")],
  ["Kolkata, last 7 days", buildFrame({ fromMs: NOW - 7 * DAY, toMs: NOW }, "Asia/Kolkata")],
];

/** Lead-time rows as (service, slice) → sorted "seconds/bucket" samples, and slice → samples excluded, whichever way they were read. */
function leadSamples(rows: ReturnType<SqliteMetricReads["leadTimes"]>): { samples: Map<string, string[]>; excluded: Map<number, number> } {
  const out = new Map<string, string[]>();
  const excluded = new Map<number, number>();
  for (const row of rows) {
    excluded.set(row.slice, (excluded.get(row.slice) ?? 0) + row.excluded);
    row.leadSeconds.forEach((seconds, i) => {
      const key = `${row.services ? row.services[i]! : row.service!}@${row.slice}`;
      out.set(key, [...(out.get(key) ?? []), `${seconds}/${row.bucket[i]!}`].sort());
    });
  }
  return { samples: new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1))), excluded: new Map([...excluded].sort(([a], [b]) => a - b)) };
}

describe.each(frames)("org-wide reads equal the reads over every service (%s)", (_label, frame) => {
  it("deployment counts per service and slice, with and without failures", () => {
    for (const withFailed of [true, false]) {
      const org = reads.deploymentSlices("production", frame.cuts, null, withFailed);
      expect(org.length).toBeGreaterThan(0);
      expect(org).toEqual(reads.deploymentSlices("production", frame.cuts, all, withFailed));
      if (withFailed) expect(org.some((row) => row.failed > 0)).toBe(true);
    }
  });

  it("lead-time samples, stage sums and stage medians", () => {
    const org = leadSamples(reads.leadTimes(frame.cuts, null));
    expect(org.samples.size).toBeGreaterThan(0);
    expect(org).toEqual(leadSamples(reads.leadTimes(frame.cuts, all)));
    for (const window of [frame.current, frame.previous]) {
      expect(reads.leadTimeStageSums(window, null)).toEqual(reads.leadTimeStageSums(window, all));
      const [total] = reads.leadTimeStageSums(window, null, false);
      const perService = reads.leadTimeStageSums(window, all);
      expect(total!.coding_n).toBe(perService.reduce((n, row) => n + row.coding_n, 0));
      expect(total!.pickup).toBe(perService.reduce((n, row) => n + row.pickup, 0));
      expect(reads.leadTimeStages(window, null)).toEqual(reads.leadTimeStages(window, all));
    }
  });

  it("availability, latency and error samples", () => {
    expect(reads.timedSamples("uptime_pct", frame.range, null)).toEqual(reads.timedSamples("uptime_pct", frame.range, all));
    expect(reads.latencySlices(frame.cuts, null)).toEqual(reads.latencySlices(frame.cuts, all));
    expect(reads.errorSlices(frame.cuts, null)).toEqual(reads.errorSlices(frame.cuts, all));
    expect(reads.latencySlices(frame.cuts, null).length).toBeGreaterThan(0);
  });
});

describe("stage sums over partial days", () => {
  it("add the changes of the edge days to the whole days, for any window", () => {
    // Windows starting and ending at odd times, shorter than a day, and on exact midnights.
    const windows = [
      { fromMs: NOW - 9 * DAY + 3_600_000 * 5.5, toMs: NOW - 2 * DAY + 3_600_000 * 17 },
      { fromMs: NOW - 3 * DAY + 3_600_000 * 2, toMs: NOW - 3 * DAY + 3_600_000 * 20 },
      { fromMs: Date.parse("2026-11-01T00:00:00Z"), toMs: Date.parse("2026-11-15T00:00:00Z") },
    ];
    for (const window of windows) {
      const expected = store.db.prepare(`
        SELECT service_id AS service, total(pr_opened_at - committed_at) AS coding, count(pr_opened_at) AS coding_n,
          total(pr_first_review_at - pr_opened_at) AS pickup, count(pr_first_review_at - pr_opened_at) AS pickup_n,
          total(pr_merged_at - pr_first_review_at) AS review, count(pr_merged_at - pr_first_review_at) AS review_n,
          total(first_deployed_at - pr_merged_at) AS deploy, count(pr_merged_at) AS deploy_n
        FROM changes WHERE first_deployed_at >= ? AND first_deployed_at < ? GROUP BY 1 ORDER BY 1`).all(window.fromMs, window.toMs);
      expect(expected.length).toBeGreaterThan(0);
      expect(reads.leadTimeStageSums(window, null)).toEqual(expected);
      expect(reads.leadTimeStageSums(window, ["checkout", "payments-api"])).toEqual(expected.filter((r) => ["checkout", "payments-api"].includes((r as { service: string }).service)));
    }
  });
});
