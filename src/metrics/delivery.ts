import { DateTime } from "luxon";
import type { Driver } from "../query/answer.js";
import type { DeploymentDetailRow, DeploymentSliceRow, FailedDeploymentRow } from "./rows.js";
import { DAY_MS, windowDays } from "../domain/scope.js";
import { largestFirst } from "./decompose.js";
import { isoWeekOfDay, monthOfDay, weekdayIn, type Frame, type FrameWindow } from "./frame.js";
import { ratioOutcome, ratioTable } from "./outcome.js";
import { median, sortNumbers } from "./percentile.js";
import { changeFailureTier, deploymentFrequencyTier } from "./tiers.js";
import { round, SliceTable, type MetricOutcome, type WindowResult } from "./types.js";

// Deployment frequency, change failure rate and rework rate (METRICS.md "Delivery"): all from one
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
export function deployDayMedians(days: readonly number[], window: FrameWindow, zone: string): { perWeek: number | null; perMonth: number | null } {
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
      value: round(count / days, 4),
      sample_size: count,
      stats: { count, deployments_per_week: round((count / days) * 7, 2), attempted_deployments: attempts, deploy_success_rate: attempts > 0 ? round((100 * count) / attempts, 1) : null },
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
    decompose(groupOf, kind) {
      // A count over equal-length windows: each segment's contribution is its own change ÷ days.
      const daysIn = windowDays(frame.current);
      const change = (current.sample_size - previous.sample_size) / daysIn;
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
      const drivers: Driver[] = [...groups].map(([label, g]) => {
        const contribution = (g.c - g.p) / daysIn;
        return { kind, label, contribution, share: change ? contribution / change : null, previous: g.p / daysIn, current: g.c / daysIn, detail: `${g.p} → ${g.c} deployments` };
      });
      return largestFirst(drivers);
    },
    details: [],
    hints: [],
    notes,
  };
}

/** CFR or rework: failed (or rework) deployments ÷ successful production deployments, in percent. */
export function deploymentRatio(
  metric: "change_failure_rate" | "rework_rate",
  rows: readonly DeploymentSliceRow[],
  flagged: readonly FailedDeploymentRow[],
  frame: Frame,
  /** Details of the few deployments listed. */
  detailsOf: (deploymentIds: readonly number[]) => readonly DeploymentDetailRow[],
): MetricOutcome {
  const ratios = ratioTable(frame);
  const field = metric === "change_failure_rate" ? "failed" : "rework";
  for (const row of rows) {
    const cell = ratios.cell(row.service, row.slice);
    cell.num += row[field];
    cell.den += row.n;
  }
  const base = ratioOutcome(ratios, frame, (pooled) => ({
    value: pooled.den > 0 ? round((100 * pooled.num) / pooled.den, 2) : null,
    sample_size: pooled.den,
    stats: { count: pooled.den, [field]: pooled.num },
  }), { factor: 100, unit: "pp", mixAndRate: true });
  const items = flagged.filter((d) => (metric === "change_failure_rate" ? d.rolled_back || d.incidents > 0 : d.is_rework));
  const shown = items.slice(-8).reverse();
  const detailOf = new Map(shown.length > 0 ? detailsOf(shown.map((d) => d.id)).map((row) => [row.id, row]) : []);
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
  return { ...base, tier, details, hints: failureHints(metric, items, frame), notes: [] };
}

/**
 * What marked each failed deployment, the strongest basis first: confirmed by a person, an
 * explicit reference, a rollback, or the attribution window alone. The four add up to `failed`;
 * `confirmed` is the first of them ("7 failures, 5 confirmed by people").
 */
export function failureBases(failed: readonly FailedDeploymentRow[]): Record<string, number> {
  const bases = { confirmed: 0, failed_by_explicit: 0, failed_by_rollback: 0, failed_by_window: 0 };
  for (const d of failed) {
    if (d.confirmed > 0) bases.confirmed++;
    else if (d.explicit > 0) bases.failed_by_explicit++;
    else if (d.rolled_back) bases.failed_by_rollback++;
    else bases.failed_by_window++;
  }
  return bases;
}

/** "3 of 4 failures followed Friday deploys of checkout" and friends. */
function failureHints(metric: string, items: readonly FailedDeploymentRow[], frame: Frame): string[] {
  if (items.length < 2) return [];
  const noun = metric === "change_failure_rate" ? "failures" : "rework deployments";
  const hints: string[] = [];
  const byDay = new Map<string, FailedDeploymentRow[]>();
  const weekday = weekdayIn(frame.current, frame.zone);
  for (const item of items) {
    const day = weekday(item.finished_at);
    const list = byDay.get(day);
    if (list) list.push(item);
    else byDay.set(day, [item]);
  }
  const [day, onDay] = [...byDay].sort((a, b) => b[1].length - a[1].length)[0]!;
  if (onDay.length / items.length >= 0.4) {
    const services = new Map<string, number>();
    for (const item of onDay) services.set(item.service, (services.get(item.service) ?? 0) + 1);
    const [top] = [...services].sort((a, b) => b[1] - a[1])[0]!;
    hints.push(`${onDay.length} of ${items.length} ${noun} followed ${day} deploys${services.size === 1 ? ` of ${top}` : ` (most in ${top})`}: is ${day} deploying riskier than other days?`);
  }
  const rolledBack = items.filter((i) => i.rolled_back).length;
  if (metric === "change_failure_rate" && rolledBack >= 2) {
    hints.push(`${rolledBack} of ${items.length} failed deployments were rolled back: what did the checks before production miss?`);
  }
  return hints;
}
