import type { Window } from "../domain/scope.js";
import { windowDays } from "../domain/scope.js";
import type { ErrorSliceRow, LatencySliceRow, LevelSampleRow, OutageRow, SumSliceRow, TimedSampleRow } from "./rows.js";
import { decomposeRatio, groupCells, largestFirst, type RatioCell } from "./decompose.js";
import type { Frame, FrameWindow } from "./frame.js";
import { cellsOf, ratioOutcome, ratioTable } from "./outcome.js";
import { round, type MetricOutcome, type WindowResult } from "./types.js";

// Uptime, latency P95, error rate, coverage, technical debt and cost per user (METRICS.md
// "Reliability, quality, cost").

const noDetails = (): Pick<MetricOutcome, "details" | "hints" | "tier"> => ({ details: [], hints: [], tier: null });

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
 * Uptime per service: the time-weighted mean of its availability samples in the window (each
 * covers until the service's next sample or the window's end); without samples, 100 × (1 − merged
 * outage time ÷ window length), open outages running to now. Scope = mean over services.
 */
export function uptime(
  services: readonly string[],
  samples: readonly TimedSampleRow[],
  /** Outages of the given services over the frame (read only for services lacking samples). */
  outagesOf: (services: readonly string[]) => readonly OutageRow[],
  frame: Frame,
  nowMs: number,
): MetricOutcome {
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
  const byOutage = new Map<string, Array<[number, number]>>();
  for (const o of outagesOf(derivedServices)) push(byOutage, o.service, [o.created_at, o.resolved_at ?? nowMs]);

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
      } else {
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
      value: cells.size > 0 ? round(sum / cells.size, 4) : null,
      sample_size: fromSamples + derived,
      stats: { services: cells.size, samples: fromSamples, services_derived: derived, outage_hours: round(outageHours, 2) },
    };
  };
  const current = at(frame.current);
  const notes: string[] = [];
  if ((current.stats["services_derived"] ?? 0) > 0) {
    notes.push(`${current.stats["services_derived"]} service(s) without availability samples: uptime derived from outage incidents (overlaps merged).`);
  }
  return {
    current,
    previous: at(frame.previous),
    series: frame.weeks.map(at),
    decompose: (groupOf, kind) =>
      decomposeRatio(groupCells(perService(frame.previous).cells, groupOf), groupCells(perService(frame.current).cells, groupOf), { kind, factor: 1, unit: "pp", mixAndRate: false }),
    ...noDetails(),
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
  const missing = (w: FrameWindow): number => [...cellsOf(unweighted, w).values()].reduce((s, c) => s + c.num, 0);
  const usePlain = missing(frame.current) > 0 || missing(frame.previous) > 0;
  const table = usePlain ? plain : weighted;
  const base = ratioOutcome(table, frame, (pooled, w) => {
    const n = [...cellsOf(plain, w).values()].reduce((s, c) => s + c.den, 0);
    return { value: pooled.den > 0 ? round(pooled.num / pooled.den, 1) : null, sample_size: n, stats: { samples: n, unweighted_samples: usePlain ? [...cellsOf(unweighted, w).values()].reduce((s, c) => s + c.num, 0) : 0 } };
  }, { factor: 1, unit: "ms", mixAndRate: false });
  return {
    ...base,
    ...noDetails(),
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
      value: pooled.den > 0 ? round((pooled.num / pooled.den) * factor, 4) : null,
      sample_size: samples,
      stats: (usePlain ? { samples } : { samples, error_count: round(pooled.num, 0), request_count: round(pooled.den, 0) }) as Record<string, number | null>,
    };
  }, { factor: usePlain ? 1 : 100, unit: "pp", mixAndRate: !usePlain });
  return { ...base, ...noDetails(), notes: usePlain ? ["Plain mean of pre-computed error rates (no request counts to weight them)."] : [] };
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
    return { value: latest.size > 0 ? round(sum / latest.size, 2) : null, sample_size: latest.size, stats: { services: latest.size, samples, change_since_start: round(change, 2) } };
  };
  return {
    current: at(frame.current),
    previous: at(frame.previous),
    series: frame.weeks.map(at),
    decompose: (groupOf, kind) =>
      decomposeRatio(groupCells(perService(frame.previous).latest, groupOf), groupCells(perService(frame.current).latest, groupOf), { kind, factor: 1, unit: "pp", mixAndRate: false }),
    ...noDetails(),
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
      value: meanUsers && samples > 0 ? round(monthly(total) / meanUsers, 4) : null,
      sample_size: samples,
      stats: { cost_usd: round(total, 2), monthly_cost_usd: round(monthly(total), 2), active_users_count: round(meanUsers, 0), untagged_cost_usd: round(untaggedHere, 2) },
    };
  };
  const current = at(frame.current);
  const notes = current.value === null && current.sample_size > 0 ? ["No active_users samples in the window: cost per user cannot be computed."] : [];
  return {
    current,
    previous: at(frame.previous),
    series: frame.weeks.map(at),
    decompose(groupOf, kind) {
      const before = window(frame.previous);
      const after = window(frame.current);
      if (!before.meanUsers || !after.meanUsers) return [];
      const group = (m: Map<string, number>) => {
        const g = new Map<string, number>();
        for (const [s, v] of m) g.set(s === "(untagged)" ? s : groupOf(s), (g.get(s === "(untagged)" ? s : groupOf(s)) ?? 0) + v);
        return g;
      };
      const pb = group(before.tagged);
      const pa = group(after.tagged);
      const valueBefore = before.monthly([...before.tagged.values()].reduce((a, b) => a + b, 0)) / before.meanUsers;
      const valueAfter = after.monthly([...after.tagged.values()].reduce((a, b) => a + b, 0)) / after.meanUsers;
      const change = valueAfter - valueBefore;
      const drivers = [...new Set([...pb.keys(), ...pa.keys()])].map((label) => {
        // Cost segments at the previous user count; the change in users is its own driver.
        const contribution = (after.monthly(pa.get(label) ?? 0) - before.monthly(pb.get(label) ?? 0)) / before.meanUsers!;
        const monthlyBefore = before.monthly(pb.get(label) ?? 0);
        const monthlyAfter = after.monthly(pa.get(label) ?? 0);
        return {
          kind, label, contribution, share: change ? contribution / change : null,
          previous: monthlyBefore / before.meanUsers!, current: monthlyAfter / after.meanUsers!,
          detail: `monthly cost $${Math.round(monthlyBefore)} → $${Math.round(monthlyAfter)}`,
        };
      });
      const totalAfter = after.monthly([...after.tagged.values()].reduce((a, b) => a + b, 0));
      const usersEffect = totalAfter / after.meanUsers - totalAfter / before.meanUsers;
      drivers.push({ kind: "share", label: "active users", contribution: usersEffect, share: change ? usersEffect / change : null, previous: before.meanUsers, current: after.meanUsers, detail: `mean active users ${Math.round(before.meanUsers)} → ${Math.round(after.meanUsers)}` });
      return largestFirst(drivers);
    },
    ...noDetails(),
    notes,
  };
}

