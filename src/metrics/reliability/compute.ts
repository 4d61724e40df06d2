import type { Window } from "../../domain/scope.js";
import { windowDays } from "../../domain/scope.js";
import type { ErrorSliceRow, LatencySliceRow, LevelSampleRow, OutageRow, SumSliceRow, TimedSampleRow } from "../../store/rows.js";
import type { Driver } from "../../domain/answer.js";
import { formatValue } from "../../present/format-value.js";
import { groupCells, othersLabel, whole, type RatioCell } from "../decompose.js";
import type { Frame, FrameWindow } from "../frame.js";
import { cellsOf, changeOf, ratioOutcome, ratioTable, wholeRatio } from "../outcome.js";
import { NO_TEST, overdispersedProportionTest, stratifiedWelch, summaryFromSums, type MomentSummary } from "../significance.js";
import { finite, type MetricOutcome, type WindowResult } from "../types.js";

// Uptime, latency P95, error rate, coverage, technical debt and cost per user (docs/metrics.md
// "Reliability, quality, cost").

const noDetails = (): Pick<MetricOutcome, "details" | "findings" | "tier"> => ({ details: [], findings: [], tier: null });
const MEAN_METHOD = "weighted mix of means (shift-share, midpoint weights)";

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Length of the union of intervals clipped to [from, to): overlapping outages count once. */
export function unionLength(intervals: ReadonlyArray<readonly [number, number]>, from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    if (a >= end) {
      total += b - a;
      end = b;
    } else if (b > end) {
      total += b - end;
      end = b;
    }
  }
  return total;
}

/**
 * Where each service's samples lie, and the services without a sample in some window of the frame,
 * whose uptime is derived from outages there: the read asks for those services' outages before
 * computing, so the computation makes no follow-up read (issue 19).
 */
interface SampleCover {
  /** Each service's rows in `samples` (ordered by service and time). */
  readonly bySample: ReadonlyMap<string, { from: number; end: number }>;
  /** The first sample at or after `atMs` among rows [from, end). */
  readonly firstAtOrAfter: (from: number, end: number, atMs: number) => number;
  readonly derivedServices: string[];
}

function sampleCover(services: readonly string[], samples: readonly TimedSampleRow[], frame: Frame, nowMs: number): SampleCover {
  // Rows come ordered by service and time: each sample covers until the service's next one.
  const bySample = new Map<string, { from: number; end: number }>();
  for (let i = 0; i < samples.length; i++) {
    const range = bySample.get(samples[i]!.service);
    if (range) range.end = i + 1;
    else bySample.set(samples[i]!.service, { from: i, end: i + 1 });
  }
  const firstAtOrAfter = (from: number, end: number, atMs: number): number => {
    let lo = from;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid]!.at < atMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Services without a sample in some window of the frame are derived from outages there.
  const windows = [frame.current, frame.previous, ...frame.weeks].filter((w) => Math.min(w.toMs, nowMs) > w.fromMs);
  const derivedServices = services.filter((service) => {
    const range = bySample.get(service);
    return !range || windows.some((w) => {
      const first = firstAtOrAfter(range.from, range.end, w.fromMs);
      return first === range.end || samples[first]!.at >= w.toMs;
    });
  });
  return { bySample, firstAtOrAfter, derivedServices };
}

export const derivedServices = (services: readonly string[], samples: readonly TimedSampleRow[], frame: Frame, nowMs: number): string[] =>
  sampleCover(services, samples, frame, nowMs).derivedServices;

/**
 * Uptime per service: the time-weighted mean of its availability samples in the window (each
 * covers until the service's next sample or the window's end); without samples, 100 × (1 − merged
 * outage time ÷ window length), open outages running to now. Scope = mean over services.
 */
export function uptime(
  services: readonly string[],
  samples: readonly TimedSampleRow[],
  /** Outages over the frame of the services lacking samples (`derivedServices`), read before computing. */
  outages: readonly OutageRow[],
  frame: Frame,
  nowMs: number,
  /** Services with an incident source (configured, or any incident ever recorded): only they can derive uptime. */
  incidentSourced: ReadonlySet<string> = new Set(services),
): MetricOutcome {
  const { bySample, firstAtOrAfter } = sampleCover(services, samples, frame, nowMs);
  const byOutage = new Map<string, Array<[number, number]>>();
  for (const o of outages) push(byOutage, o.service, [o.created_at, o.resolved_at ?? nowMs]);

  const perService = (w: Window): { cells: Map<string, RatioCell>; fromSamples: number; derived: number; outageHours: number } => {
    const cells = new Map<string, RatioCell>();
    let fromSamples = 0;
    let derived = 0;
    let outageHours = 0;
    // A window reaching into the future (this month) is measured up to now.
    const endMs = Math.min(w.toMs, nowMs);
    if (endMs <= w.fromMs) return { cells, fromSamples, derived, outageHours };
    for (const service of services) {
      const range = bySample.get(service);
      const first = range ? firstAtOrAfter(range.from, range.end, w.fromMs) : 0;
      const end = range ? firstAtOrAfter(first, range.end, w.toMs) : 0;
      if (range && end > first) {
        let weighted = 0;
        let covered = 0;
        for (let i = first; i < end; i++) {
          const next = i + 1 < range.end ? samples[i + 1]!.at : Infinity;
          const span = Math.max(0, Math.min(next, endMs) - samples[i]!.at);
          weighted += samples[i]!.value * span;
          covered += span;
        }
        fromSamples += end - first;
        cells.set(service, { num: covered > 0 ? weighted / covered : samples[first]!.value, den: 1 });
      } else if (incidentSourced.has(service)) {
        const down = unionLength(byOutage.get(service) ?? [], w.fromMs, endMs);
        outageHours += down / 3_600_000;
        derived++;
        cells.set(service, { num: 100 * (1 - down / (endMs - w.fromMs)), den: 1 });
      }
    }
    return { cells, fromSamples, derived, outageHours };
  };
  const at = (w: Window): WindowResult => {
    const { cells, fromSamples, derived, outageHours } = perService(w);
    let sum = 0;
    for (const c of cells.values()) sum += c.num;
    return {
      value: cells.size > 0 ? finite(sum / cells.size) : null,
      sample_size: fromSamples + derived,
      stats: { services: cells.size, samples: fromSamples, services_derived: derived, outage_hours: finite(outageHours) },
    };
  };
  const current = at(frame.current);
  const previous = at(frame.previous);
  const notes: string[] = [];
  if ((current.stats["services_derived"] ?? 0) > 0) {
    notes.push(`${current.stats["services_derived"]} service(s) without availability samples: uptime derived from outage incidents (overlaps merged).`);
  }
  const unsourced = services.filter((s) => !bySample.has(s) && !incidentSourced.has(s)).length;
  if (unsourced > 0) notes.push(`${unsourced} service(s) with neither availability samples nor an incident source: no uptime for them (not 100 %).`);
  const currentCells = perService(frame.current).cells;
  return {
    current,
    previous,
    series: frame.weeks.map(at),
    decompose: (groupOf, kind, top) => wholeRatio(groupCells(perService(frame.previous).cells, groupOf), groupCells(currentCells, groupOf), { kind, factor: 1, mixAndRate: false }, changeOf(current, previous), top),
    ...noDetails(),
    // Below the line: each service's shortfall against 100 % (what a breach is made of).
    details: [...currentCells].filter(([, c]) => c.num < 100).sort((a, b) => a[1].num - b[1].num).slice(0, 5).map(([service, c]): Driver => ({
      kind: "service", label: service, contribution: null, share: null, current: c.num, service, detail: `uptime ${formatValue(c.num, "percent")}`,
    })),
    test: NO_TEST,
    interval: null,
    method: MEAN_METHOD,
    notes,
  };
}

/** Mean of the P95 samples weighted by the requests of the same service and time; plain mean when any weight is missing. */
export function latencyP95(rows: readonly LatencySliceRow[], frame: Frame): MetricOutcome {
  const weighted = ratioTable(frame);
  const plain = ratioTable(frame);
  const unweighted = ratioTable(frame);
  for (const row of rows) {
    const w = weighted.cell(row.service, row.slice);
    w.num += row.weighted;
    w.den += row.weight;
    const p = plain.cell(row.service, row.slice);
    p.num += row.sum;
    p.den += row.n;
    unweighted.cell(row.service, row.slice).num += row.unweighted;
  }
  const squares = ratioTable(frame);
  for (const row of rows) squares.cell(row.service, row.slice).num += row.sum_squares ?? 0;
  // Per service: n, Σ and Σ² of its P95 samples in a window.
  const moments = (w: FrameWindow): Map<string, MomentSummary> => {
    const q = cellsOf(squares, w);
    return new Map([...cellsOf(plain, w)].map(([service, c]) => [service, summaryFromSums(c.den, c.num, q.get(service)?.num ?? 0)]));
  };
  const byService = (): Array<{ before: MomentSummary; after: MomentSummary }> => {
    const [before, after] = [moments(frame.previous), moments(frame.current)];
    return [...after].filter(([service]) => before.has(service)).map(([service, a]) => ({ before: before.get(service)!, after: a }));
  };
  const missing = (w: FrameWindow): number => [...cellsOf(unweighted, w).values()].reduce((s, c) => s + c.num, 0);
  const usePlain = missing(frame.current) > 0 || missing(frame.previous) > 0;
  const table = usePlain ? plain : weighted;
  const base = ratioOutcome(table, frame, (pooled, w) => {
    const n = [...cellsOf(plain, w).values()].reduce((s, c) => s + c.den, 0);
    return { value: pooled.den > 0 ? finite(pooled.num / pooled.den) : null, sample_size: n, stats: { samples: n, unweighted_samples: usePlain ? [...cellsOf(unweighted, w).values()].reduce((s, c) => s + c.num, 0) : 0 } };
  }, { factor: 1, mixAndRate: false });
  const hasSquares = rows.every((r) => r.sum_squares !== undefined);
  return {
    ...base,
    ...noDetails(),
    // The P95 samples of the two windows (their plain moments): Welch's t test.
    test: hasSquares ? stratifiedWelch(byService(), "welch_t stratified by service (P95 samples)") : NO_TEST,
    interval: null,
    method: MEAN_METHOD,
    notes: usePlain ? ["Plain mean of P95 samples (request counts missing for some): an approximation, not a true P95."] : ["Mean of P95 samples weighted by request counts: an approximation of the window's P95."],
  };
}

/** Σ errors ÷ Σ requests; pre-computed rates weighted by requests when known, plain mean otherwise. */
export function errorRate(rows: readonly ErrorSliceRow[], frame: Frame): MetricOutcome {
  const table = ratioTable(frame);
  const plain = ratioTable(frame);
  for (const row of rows) {
    const cell = table.cell(row.service, row.slice);
    cell.num += row.errors + row.rate_weighted / 100;
    cell.den += row.requests + row.rate_requests;
    const p = plain.cell(row.service, row.slice);
    p.num += row.rate_sum;
    p.den += row.rate_plain;
  }
  const counts = (t: typeof table, w: FrameWindow) => [...cellsOf(t, w).values()].reduce((a, c) => ({ num: a.num + c.num, den: a.den + c.den }), { num: 0, den: 0 });
  const usePlain = counts(table, frame.current).den === 0 && counts(plain, frame.current).den > 0;
  const base = ratioOutcome(usePlain ? plain : table, frame, (pooled, w) => {
    const samples = rows.filter((r) => r.slice >= w.first && r.slice < w.end).reduce((s, r) => s + r.n, 0);
    const factor = usePlain ? 1 : 100;
    return {
      value: pooled.den > 0 ? finite((pooled.num / pooled.den) * factor) : null,
      sample_size: samples,
      stats: (usePlain ? { samples } : { samples, error_count: finite(pooled.num), request_count: finite(pooled.den) }) as Record<string, number | null>,
    };
  }, { factor: usePlain ? 1 : 100, mixAndRate: !usePlain });
  // Each (service, slice) cell as a group: the spread between them measures the overdispersion.
  const sampleCells = (w: FrameWindow) => rows.filter((r) => r.slice >= w.first && r.slice < w.end).map((r) => ({ num: r.errors + r.rate_weighted / 100, den: r.requests + r.rate_requests }));
  return {
    ...base,
    ...noDetails(),
    test: usePlain ? NO_TEST : overdispersedProportionTest(sampleCells(frame.previous), sampleCells(frame.current)),
    // A binomial interval over millions of requests would claim a precision the overdispersed data lacks.
    interval: null,
    method: usePlain ? MEAN_METHOD : "shift-share of a ratio into rate and mix (midpoint weights)",
    notes: usePlain ? ["Plain mean of pre-computed error rates (no request counts to weight them)."] : [],
  };
}

/**
 * Coverage and debt are levels: per service the latest value in the window and its change since
 * the window's start (the last value before it, else the first in it); a scope is the mean over
 * its services with a value.
 */
export function level(rows: readonly LevelSampleRow[], frame: Frame): MetricOutcome {
  const byService = new Map<string, LevelSampleRow[]>();
  for (const r of rows) push(byService, r.service, r);
  const perService = (w: Window) => {
    const latest = new Map<string, RatioCell>();
    let changeSum = 0;
    let changeCount = 0;
    let samples = 0;
    for (const [service, list] of byService) {
      const inside = list.filter((r) => r.at >= w.fromMs && r.at < w.toMs);
      if (inside.length === 0) continue;
      samples += inside.length;
      const last = inside[inside.length - 1]!;
      const start = [...list].reverse().find((r) => r.at < w.fromMs) ?? inside[0]!;
      latest.set(service, { num: last.value, den: 1 });
      changeSum += last.value - start.value;
      changeCount++;
    }
    return { latest, change: changeCount > 0 ? changeSum / changeCount : null, samples };
  };
  const at = (w: Window): WindowResult => {
    const { latest, change, samples } = perService(w);
    const sum = [...latest.values()].reduce((s, c) => s + c.num, 0);
    return { value: latest.size > 0 ? finite(sum / latest.size) : null, sample_size: latest.size, stats: { services: latest.size, samples, change_since_start: finite(change) } };
  };
  const current = at(frame.current);
  const previous = at(frame.previous);
  return {
    current,
    previous,
    series: frame.weeks.map(at),
    decompose: (groupOf, kind, top) =>
      wholeRatio(groupCells(perService(frame.previous).latest, groupOf), groupCells(perService(frame.current).latest, groupOf), { kind, factor: 1, mixAndRate: false }, changeOf(current, previous), top),
    ...noDetails(),
    // A level has no sampling distribution to test.
    test: NO_TEST,
    interval: null,
    method: MEAN_METHOD,
    notes: [],
  };
}

/**
 * (Σ cost in the window × 30 ÷ days) ÷ mean active users. Untagged cost counts at org scope, or
 * is shared across services in proportion to their tagged cost when `share_untagged` is on.
 */
export function costPerUser(
  cost: readonly SumSliceRow[],
  taggedTotals: ReadonlyArray<{ slice: number; total: number }>,
  users: readonly SumSliceRow[],
  scopeServices: readonly string[] | null,
  shareUntagged: boolean,
  frame: Frame,
): MetricOutcome {
  const inScope = (service: string): boolean => scopeServices === null || scopeServices.includes(service);
  const window = (w: FrameWindow) => {
    const rows = cost.filter((r) => r.slice >= w.first && r.slice < w.end);
    const tagged = new Map<string, number>();
    let untagged = 0;
    let samples = 0;
    // All tagged cost of the org in the window, for sharing the untagged cost out.
    const taggedAll = taggedTotals.filter((r) => r.slice >= w.first && r.slice < w.end).reduce((sum, r) => sum + r.total, 0);
    for (const r of rows) {
      if (r.service === "") untagged += r.total;
      else if (inScope(r.service)) tagged.set(r.service, (tagged.get(r.service) ?? 0) + r.total);
      if (r.service === "" || inScope(r.service)) samples += r.n;
    }
    // Untagged cost: all of it at org scope; a proportional share elsewhere, if configured.
    let untaggedHere = scopeServices === null ? untagged : 0;
    if (scopeServices !== null && shareUntagged && taggedAll > 0) {
      for (const [s, v] of tagged) {
        tagged.set(s, v + (untagged * v) / taggedAll);
        untaggedHere += (untagged * v) / taggedAll;
      }
    }
    if (scopeServices === null && untagged > 0) tagged.set("(untagged)", untagged);
    const userRows = users.filter((r) => r.slice >= w.first && r.slice < w.end);
    const orgWide = userRows.filter((r) => r.service === "");
    const pick = orgWide.length > 0 ? orgWide : userRows.filter((r) => inScope(r.service));
    const n = pick.reduce((s, r) => s + r.n, 0);
    const meanUsers = n > 0 ? pick.reduce((s, r) => s + r.total, 0) / n : null;
    const monthly = (v: number): number => (v * 30) / windowDays(w);
    return { tagged, untaggedHere, meanUsers, samples, monthly };
  };
  const at = (w: FrameWindow): WindowResult => {
    const { tagged, untaggedHere, meanUsers, samples, monthly } = window(w);
    const total = [...tagged.values()].reduce((a, b) => a + b, 0);
    return {
      value: meanUsers && samples > 0 ? finite(monthly(total) / meanUsers) : null,
      sample_size: samples,
      stats: { cost_usd: finite(total), monthly_cost_usd: finite(monthly(total)), active_users_count: finite(meanUsers), untagged_cost_usd: finite(untaggedHere) },
    };
  };
  const current = at(frame.current);
  const previous = at(frame.previous);
  const notes = current.value === null && current.sample_size > 0 ? ["No active_users samples in the window: cost per user cannot be computed."] : [];
  return {
    current,
    previous,
    series: frame.weeks.map(at),
    decompose(groupOf, kind, top) {
      const before = window(frame.previous);
      const after = window(frame.current);
      const change = changeOf(current, previous);
      if (!before.meanUsers || !after.meanUsers || change === null) return [];
      const group = (m: Map<string, number>) => {
        const g = new Map<string, number>();
        for (const [s, v] of m) g.set(s === "(untagged)" ? s : groupOf(s), (g.get(s === "(untagged)" ? s : groupOf(s)) ?? 0) + v);
        return g;
      };
      const pb = group(before.tagged);
      const pa = group(after.tagged);
      // C1/U1 − C0/U0 = ΔC · mean(1/U) + mean(C) · Δ(1/U): each segment's cost change at the
      // midpoint of the two user counts, and the users' own effect at the midpoint cost (exact).
      const inverse = (1 / before.meanUsers + 1 / after.meanUsers) / 2;
      const parts: Driver[] = [...new Set([...pb.keys(), ...pa.keys()])].map((label) => {
        const monthlyBefore = before.monthly(pb.get(label) ?? 0);
        const monthlyAfter = after.monthly(pa.get(label) ?? 0);
        return {
          kind, label, contribution: (monthlyAfter - monthlyBefore) * inverse, share: null,
          previous: monthlyBefore / before.meanUsers!, current: monthlyAfter / after.meanUsers!,
          detail: `monthly cost $${Math.round(monthlyBefore).toLocaleString("en-US")} → $${Math.round(monthlyAfter).toLocaleString("en-US")}`,
        };
      });
      const totalBefore = before.monthly([...before.tagged.values()].reduce((x, y) => x + y, 0));
      const totalAfter = after.monthly([...after.tagged.values()].reduce((x, y) => x + y, 0));
      parts.push({
        kind, label: "(active users)", contribution: ((totalBefore + totalAfter) / 2) * (1 / after.meanUsers - 1 / before.meanUsers), share: null,
        detail: `mean active users ${Math.round(before.meanUsers).toLocaleString("en-US")} → ${Math.round(after.meanUsers).toLocaleString("en-US")}`,
      });
      return whole(parts, change, { restLabel: othersLabel(kind), ...(top !== undefined ? { top } : {}) });
    },
    ...noDetails(),
    // Cost is a total, not a sample from a distribution: no test applies.
    test: NO_TEST,
    interval: null,
    method: "cost change per segment at the midpoint user count, plus the user count's own effect (exact)",
    notes,
  };
}

