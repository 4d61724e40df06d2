import { DateTime } from "luxon";
import type { Driver } from "../../domain/answer.js";
import type { DeploymentDetailRow, DeploymentSliceRow, FailedDeploymentRow } from "../../store/rows.js";
import { DAY_MS, windowDays } from "../../domain/scope.js";
import type { Finding } from "../../domain/answer.js";
import { othersLabel, whole } from "../decompose.js";
import { isoWeekOfDay, monthOfDay, weekdayIn, type Frame, type FrameWindow } from "../frame.js";
import { ratioOutcome, ratioTable } from "../outcome.js";
import { median, sortNumbers } from "../percentile.js";
import { changeFailureTier, deploymentFrequencyTier } from "../tiers.js";
import { binomialAtLeast, poissonInterval, poissonRateTest, proportionTest, wilsonInterval } from "../significance.js";
import { finite, SliceTable, type MetricOutcome, type WindowResult } from "../types.js";

// Deployment frequency, change failure rate and rework rate (docs/metrics.md "Delivery"): all from one
// per-service, per-slice count of successful production deployments.

interface DeployCell {
  attempts: number;
  n: number;
  failed: number;
  rework: number;
}

function deployTable(rows: readonly DeploymentSliceRow[], frame: Frame): SliceTable<DeployCell> {
  const table = new SliceTable<DeployCell>(frame.cuts.length - 1, () => ({ attempts: 0, n: 0, failed: 0, rework: 0 }));
  for (const row of rows) {
    const cell = table.cell(row.service, row.slice);
    cell.attempts += row.attempts;
    cell.n += row.n;
    cell.failed += row.failed;
    cell.rework += row.rework;
  }
  return table;
}

const sumDeploys = (table: SliceTable<DeployCell>, w: FrameWindow): Map<string, DeployCell> =>
  table.fold(w.first, w.end, () => ({ attempts: 0, n: 0, failed: 0, rework: 0 }), (a, c) => ({
    attempts: a.attempts + c.attempts, n: a.n + c.n, failed: a.failed + c.failed, rework: a.rework + c.rework,
  }));

/**
 * Distinct deploy days per ISO week and per month of the window, for the tier. Weeks (months)
 * count when most of their days lie in the window; weeks without deploys count as 0.
 */
function deployDayMedians(days: readonly number[], window: FrameWindow, zone: string): { perWeek: number | null; perMonth: number | null } {
  const firstDay = Math.floor((window.fromMs + DateTime.fromMillis(window.fromMs, { zone }).offset * 60_000) / DAY_MS);
  const lastDay = Math.floor((window.toMs - 1 + DateTime.fromMillis(window.toMs - 1, { zone }).offset * 60_000) / DAY_MS);
  const weekDays = new Map<number, number>();
  const monthDays = new Map<string, number>();
  const weekDeploys = new Map<number, number>();
  const monthDeploys = new Map<string, number>();
  for (let day = firstDay; day <= lastDay; day++) {
    weekDays.set(isoWeekOfDay(day), (weekDays.get(isoWeekOfDay(day)) ?? 0) + 1);
    monthDays.set(monthOfDay(day), (monthDays.get(monthOfDay(day)) ?? 0) + 1);
  }
  for (const day of days) {
    weekDeploys.set(isoWeekOfDay(day), (weekDeploys.get(isoWeekOfDay(day)) ?? 0) + 1);
    monthDeploys.set(monthOfDay(day), (monthDeploys.get(monthOfDay(day)) ?? 0) + 1);
  }
  const perWeek = [...weekDays].filter(([, n]) => n >= 4).map(([week]) => weekDeploys.get(week) ?? 0);
  const perMonth = [...monthDays].filter(([month, n]) => n >= daysInMonth(month) / 2).map(([month]) => monthDeploys.get(month) ?? 0);
  // A window shorter than half a month still says something: deploy days scaled to 30 days.
  const monthly = perMonth.length > 0 ? median(sortNumbers(perMonth)) : (days.length * 30) / Math.max(1, lastDay - firstDay + 1);
  return { perWeek: median(sortNumbers(perWeek)), perMonth: monthly };
}

function daysInMonth(month: string): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function deploymentFrequency(rows: readonly DeploymentSliceRow[], deployDays: readonly number[], frame: Frame): MetricOutcome {
  const table = deployTable(rows, frame);
  const at = (w: FrameWindow): WindowResult => {
    let count = 0;
    let attempts = 0;
    for (const cell of sumDeploys(table, w).values()) {
      count += cell.n;
      attempts += cell.attempts;
    }
    const days = windowDays(w);
    return {
      value: finite(count / days),
      sample_size: count,
      stats: { count, deployments_per_week: finite((count / days) * 7), attempted_deployments: attempts, deploy_success_rate: attempts > 0 ? finite((100 * count) / attempts) : null },
    };
  };
  const current = at(frame.current);
  const days = deployDayMedians(deployDays, frame.current, frame.zone);
  current.stats["deploy_days"] = deployDays.length;
  current.stats["median_deploy_days_per_week"] = days.perWeek;
  const tier = deploymentFrequencyTier({ windowDays: windowDays(frame.current), medianDeployDaysPerWeek: days.perWeek, medianDeployDaysPerMonth: days.perMonth });
  const notes = windowDays(frame.current) < 7 ? ["No tier: the window is shorter than 7 days."] : [];
  const previous = at(frame.previous);
  return {
    current,
    previous,
    series: frame.weeks.map(at),
    tier,
    decompose(groupOf, kind, top) {
      // A count per day: each segment's part is its own change in deployments ÷ days (each window
      // divided by its own length, so unequal windows still add up).
      const daysBefore = windowDays(frame.previous);
      const daysAfter = windowDays(frame.current);
      const groups = new Map<string, { p: number; c: number }>();
      const add = (cells: Map<string, DeployCell>, field: "p" | "c"): void => {
        for (const [service, cell] of cells) {
          const group = groups.get(groupOf(service)) ?? { p: 0, c: 0 };
          group[field] += cell.n;
          groups.set(groupOf(service), group);
        }
      };
      add(sumDeploys(table, frame.previous), "p");
      add(sumDeploys(table, frame.current), "c");
      const parts: Driver[] = [...groups].map(([label, g]) => ({
        kind, label, contribution: g.c / daysAfter - g.p / daysBefore, share: null, previous: g.p / daysBefore, current: g.c / daysAfter, detail: `${g.p} → ${g.c} deployments`,
      }));
      const change = current.value !== null && previous.value !== null ? current.value - previous.value : null;
      return whole(parts, change, { restLabel: othersLabel(kind), ...(top !== undefined ? { top } : {}) });
    },
    details: [],
    findings: [],
    test: poissonRateTest(previous.sample_size, windowDays(frame.previous), current.sample_size, windowDays(frame.current)),
    interval: poissonInterval(current.sample_size, windowDays(frame.current)),
    method: "counts per day add directly",
    notes,
  };
}

const flaggedItems = (metric: "change_failure_rate" | "rework_rate", flagged: readonly FailedDeploymentRow[]): FailedDeploymentRow[] =>
  flagged.filter((d) => (metric === "change_failure_rate" ? d.caused_failure : d.is_rework) === 1);

/**
 * The deployments an answer lists (the last eight failed or rework ones, newest first): the read
 * asks for their details before computing, so the computation makes no follow-up read (issue 19).
 */
export const listedDeployments = (metric: "change_failure_rate" | "rework_rate", flagged: readonly FailedDeploymentRow[]): FailedDeploymentRow[] =>
  flaggedItems(metric, flagged).slice(-8).reverse();

/** CFR or rework: failed (or rework) deployments ÷ successful production deployments, in percent. */
export function deploymentRatio(
  metric: "change_failure_rate" | "rework_rate",
  rows: readonly DeploymentSliceRow[],
  flagged: readonly FailedDeploymentRow[],
  frame: Frame,
  /** Details of the few deployments listed (`listedDeployments`), read before computing. */
  listedDetails: readonly DeploymentDetailRow[],
  /** Successful deployments per local day of the current window (the weekday base rate). */
  deploysByDay: ReadonlyArray<{ day: number; n: number }> = [],
): MetricOutcome {
  const ratios = ratioTable(frame);
  const field = metric === "change_failure_rate" ? "failed" : "rework";
  for (const row of rows) {
    const cell = ratios.cell(row.service, row.slice);
    cell.num += row[field];
    cell.den += row.n;
  }
  const base = ratioOutcome(ratios, frame, (pooled) => ({
    value: pooled.den > 0 ? finite((100 * pooled.num) / pooled.den) : null,
    sample_size: pooled.den,
    stats: { count: pooled.den, [field]: pooled.num },
  }), { factor: 100, mixAndRate: true });
  const items = flaggedItems(metric, flagged);
  const shown = listedDeployments(metric, flagged);
  const detailOf = new Map(listedDetails.map((row) => [row.id, row]));
  const details: Driver[] = shown.map((d) => {
    const { external_id, url, sha, incident_title, incident_url } = detailOf.get(d.id)!;
    return {
      kind: "deployment",
      label: external_id,
      contribution: null,
      share: null,
      service: d.service,
      ...(url || incident_url ? { url: (url ?? incident_url)! } : {}),
      detail:
        metric === "change_failure_rate"
          ? [d.rolled_back ? "rolled back" : null, d.incidents > 0 ? `${d.incidents} incident${d.incidents > 1 ? "s" : ""}: ${incident_title ?? ""}` : null]
              .filter(Boolean).join("; ")
          : sha ? `sha ${sha.slice(0, 7)}` : "rework",
    };
  });
  const tier = metric === "change_failure_rate" ? changeFailureTier(base.current.value) : null;
  if (metric === "change_failure_rate") Object.assign(base.current.stats, failureBases(items));
  const num = (r: WindowResult): number => r.stats[field] ?? 0;
  return {
    ...base,
    tier,
    details,
    findings: failureFindings(metric, items, deploysByDay, frame),
    test: proportionTest(num(base.previous), base.previous.sample_size, num(base.current), base.current.sample_size),
    interval: wilsonInterval(num(base.current), base.current.sample_size),
    method: "shift-share of a ratio into rate and mix (midpoint weights)",
    notes: [],
  };
}

/**
 * What marked each failed deployment, the strongest basis first: confirmed by a person, an
 * explicit reference, a rollback, or the attribution window alone. The four add up to `failed`;
 * `confirmed` is the first of them ("7 failures, 5 confirmed by people").
 */
function failureBases(failed: readonly FailedDeploymentRow[]): Record<string, number> {
  const bases = { confirmed: 0, failed_by_explicit: 0, failed_by_rollback: 0, failed_by_window: 0 };
  for (const d of failed) {
    if (d.confirmed > 0) bases.confirmed++;
    else if (d.explicit > 0) bases.failed_by_explicit++;
    else if (d.rolled_back) bases.failed_by_rollback++;
    else bases.failed_by_window++;
  }
  return bases;
}

/** Minimum support of a pattern before it is worth a question (docs/metrics.md "Evidence for a question"). */
export const MIN_SUPPORT = 3;
const FINDING_ALPHA = 0.05;

const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
/** Local day number (days since 1970-01-01, a Thursday) → weekday name. */
const weekdayOfDay = (day: number): string => WEEKDAY_NAMES[(((day + 4) % 7) + 7) % 7]!;

/**
 * "3 of 4 failures followed Friday deploys of checkout (Fridays carry 20 % of deployments)": only
 * when the weekday's share of failures is over-represented against its share of deployments (a
 * one-sided binomial test) with at least MIN_SUPPORT failures on it; rollbacks likewise.
 */
function failureFindings(metric: string, items: readonly FailedDeploymentRow[], deploysByDay: ReadonlyArray<{ day: number; n: number }>, frame: Frame): Finding[] {
  const findings: Finding[] = [];
  const noun = metric === "change_failure_rate" ? "failures" : "rework deployments";
  const total = deploysByDay.reduce((sum, d) => sum + d.n, 0);
  if (items.length >= MIN_SUPPORT && total > 0) {
    const baseByWeekday = new Map<string, number>();
    for (const { day, n } of deploysByDay) baseByWeekday.set(weekdayOfDay(day), (baseByWeekday.get(weekdayOfDay(day)) ?? 0) + n);
    const weekday = weekdayIn(frame.current, frame.zone);
    const byDay = new Map<string, FailedDeploymentRow[]>();
    for (const item of items) {
      const day = weekday(item.finished_at);
      byDay.set(day, [...(byDay.get(day) ?? []), item]);
    }
    const candidates = [...byDay]
      .filter(([, list]) => list.length >= MIN_SUPPORT)
      .map(([day, list]) => {
        const base = (baseByWeekday.get(day) ?? 0) / total;
        return { day, list, base, p: binomialAtLeast(list.length, items.length, base) };
      })
      .filter((c) => c.base < 1 && c.p < FINDING_ALPHA)
      .sort((a, b) => a.p - b.p);
    const best = candidates[0];
    if (best) {
      const services = new Map<string, number>();
      for (const item of best.list) services.set(item.service, (services.get(item.service) ?? 0) + 1);
      const [top] = [...services].sort((a, b) => b[1] - a[1])[0]!;
      findings.push({
        kind: "weekday",
        text: `${best.list.length} of ${items.length} ${noun} followed ${best.day} deploys${services.size === 1 ? ` of ${top}` : ` (most in ${top})`}, while ${best.day}s carry ${Math.round(best.base * 100)} % of deployments: is ${best.day} deploying riskier than other days?`,
        evidence: { observed: best.list.length, expected: best.base * items.length, n: items.length, p_value: best.p },
      });
    }
  }
  const rolledBack = items.filter((i) => i.rolled_back).length;
  if (metric === "change_failure_rate" && rolledBack >= MIN_SUPPORT) {
    findings.push({
      kind: "rollbacks",
      text: `${rolledBack} of ${items.length} failed deployments were rolled back: what did the checks before production miss?`,
      evidence: { observed: rolledBack, expected: 0, n: items.length, p_value: null },
    });
  }
  return findings;
}
