import { HOUR_MS } from "../../domain/scope.js";
import { formatHours } from "../../present/format-value.js";
import type { Driver } from "../../domain/answer.js";
import type { IncidentRow, IncidentSliceRow, IncidentTitleRow, OpenIncidents } from "../../store/rows.js";
import type { Finding } from "../../domain/answer.js";
import { groupCells, whole, type RatioCell } from "../decompose.js";
import { changeOf, wholeRatio } from "../outcome.js";
import { meanInterval, summaryOf, welchLog } from "../significance.js";
import type { Frame, FrameWindow } from "../frame.js";
import { mean, percentile, sortNumbers } from "../percentile.js";
import { recoveryTier } from "../tiers.js";
import { finite, type MetricOutcome, type WindowResult } from "../types.js";

// MTTR (incidents resolved in the window, created → last resolution) and MTTA (incidents
// acknowledged in the window, created → first acknowledgement). Headline: the mean, as the name
// says; also median and p90, and the same over change-caused incidents (DORA's failed deployment
// recovery time). Open incidents are excluded and reported with the age of the oldest.

const UNMAPPED = "(unmapped service)";

const hoursOf = (row: IncidentRow): number => (row.at - row.created_at) / HOUR_MS;

function summarise(rows: readonly IncidentRow[], metric: "mttr" | "mtta"): WindowResult {
  const hours = sortNumbers(rows.map(hoursOf));
  const caused = sortNumbers(rows.filter((r) => r.linked_deployment_id !== null).map(hoursOf));
  const stats: Record<string, number | null> = {
    mean: finite(mean(hours)),
    median: finite(percentile(hours, 0.5)),
    p90: finite(percentile(hours, 0.9)),
    count: hours.length,
  };
  if (metric === "mttr") {
    stats["change_caused_count"] = caused.length;
    stats["failed_deployment_recovery_mean_hours"] = finite(mean(caused));
    stats["failed_deployment_recovery_median_hours"] = finite(percentile(caused, 0.5));
    stats["failed_deployment_recovery_p90_hours"] = finite(percentile(caused, 0.9));
  }
  return { value: stats["mean"] ?? null, sample_size: hours.length, stats };
}

function windowsOf(rows: readonly IncidentRow[], frame: Frame): { current: IncidentRow[]; previous: IncidentRow[] } {
  const inWindow = (w: FrameWindow) => rows.filter((r) => r.at >= w.fromMs && r.at < w.toMs);
  return { current: inWindow(frame.current), previous: inWindow(frame.previous) };
}

/**
 * The incidents an answer names as drivers: the read asks for their titles before computing, so
 * the computation makes no follow-up read (issue 19).
 */
export function namedIncidents(rows: readonly IncidentRow[], frame: Frame): number[] {
  const { current, previous } = windowsOf(rows, frame);
  return incidentDrivers(current, previous).filter((d) => !d.driver.rest).map((d) => d.incident!.id);
}

export function incidentTimes(
  metric: "mttr" | "mtta",
  slices: readonly IncidentSliceRow[],
  rows: readonly IncidentRow[],
  open: OpenIncidents,
  frame: Frame,
  nowMs: number,
  /** Titles and links of the incidents named as drivers (`namedIncidents`, read for those few only). */
  describedTitles: readonly IncidentTitleRow[],
): MetricOutcome {
  const bySlice = new Map(slices.map((row) => [row.slice, row]));
  const { current, previous } = windowsOf(rows, frame);
  const result = summarise(current, metric);
  result.stats["open_count"] = open.open_count;
  result.stats["oldest_open_hours"] = open.oldest_created_at === null ? null : finite((Math.min(frame.current.toMs, nowMs) - open.oldest_created_at) / HOUR_MS);
  const series = frame.weeks.map((w): WindowResult => {
    let ms = 0;
    let den = 0;
    for (let slice = w.first; slice < w.end; slice++) {
      ms += bySlice.get(slice)?.ms ?? 0;
      den += bySlice.get(slice)?.n ?? 0;
    }
    const value = den > 0 ? finite(ms / HOUR_MS / den) : null;
    return { value, sample_size: den, stats: { mean: value, count: den } };
  });
  const cellsFrom = (list: readonly IncidentRow[], keyOf: (r: IncidentRow) => string = (r) => r.service ?? UNMAPPED): Map<string, RatioCell> => {
    const map = new Map<string, RatioCell>();
    for (const r of list) {
      const key = keyOf(r);
      const cell = map.get(key) ?? { num: 0, den: 0 };
      map.set(key, { num: cell.num + hoursOf(r), den: cell.den + 1 });
    }
    return map;
  };
  const noun = metric === "mttr" ? "resolved" : "acknowledged";
  const notes: string[] = [];
  if (open.open_count > 0) {
    notes.push(`${open.open_count} incident${open.open_count === 1 ? "" : "s"} not yet ${noun} at the window's end excluded (oldest ${ageText(result.stats["oldest_open_hours"] ?? null)}).`);
  }
  const top = incidentDrivers(current, previous);
  const titles = new Map(describedTitles.map((t) => [t.id, t]));
  const named = top.map(({ driver, incident }): Driver => {
    if (!incident) return driver;
    const title = titles.get(incident.id);
    return { ...driver, label: title?.title ?? `incident ${incident.id}`, ...(title?.url ? { url: title.url } : {}) };
  });
  const previousResult = summarise(previous, metric);
  const change = changeOf(result, previousResult);
  const ratio = { factor: 1, mixAndRate: false };
  const severityOf = (r: IncidentRow): string => r.severity ?? "(no severity)";
  const bySeverity = wholeRatio(cellsFrom(previous, severityOf), cellsFrom(current, severityOf), { ...ratio, kind: "severity" }, change);
  return {
    current: result,
    previous: previousResult,
    series,
    tier: metric === "mttr" ? recoveryTier(result.stats["median"] ?? null) : null,
    decompose: (groupOf, kind, top) => wholeRatio(groupCells(cellsFrom(previous), (s) => (s === UNMAPPED ? s : groupOf(s))), groupCells(cellsFrom(current), (s) => (s === UNMAPPED ? s : groupOf(s))), { ...ratio, kind }, change, top),
    details: [...bySeverity, ...named, ...(metric === "mttr" ? ackRepairDrivers(current, previous, change) : [])],
    findings: incidentFindings(metric, named, current, previous),
    test: welchLog(previous.map(hoursOf), current.map(hoursOf)),
    interval: meanInterval(summaryOf(current.map(hoursOf))),
    method: "weighted mix of means (shift-share, midpoint weights)",
    notes,
  };
}

/**
 * Incidents that moved the mean most: each incident's contribution is its excess over the
 * previous mean ÷ the current count, so the contributions add up to the change exactly.
 */
function incidentDrivers(current: readonly IncidentRow[], previous: readonly IncidentRow[]): Array<{ driver: Driver; incident: IncidentRow | null }> {
  const before = mean(previous.map(hoursOf));
  const after = mean(current.map(hoursOf));
  if (before === null || after === null) return [];
  const change = after - before;
  const all = current
    .map((r) => {
      const contribution = (hoursOf(r) - before) / current.length;
      const ack = r.acknowledged_at !== null ? `, acknowledged after ${formatHours((r.acknowledged_at - r.created_at) / HOUR_MS)}` : "";
      const driver: Driver = {
        kind: "incident",
        label: "",
        contribution,
        share: null,
        current: hoursOf(r),
        service: r.service,
        detail: `${formatHours(hoursOf(r))}${ack}${r.linked_deployment_id !== null ? ", caused by a deployment" : ""}`,
      };
      return { driver, incident: r };
    });
  // The parts add up to the change over all incidents: the five that moved it most, then the rest.
  const drivers = whole(all.map((a) => a.driver), change, { restLabel: (n) => `${n} other incident${n === 1 ? "" : "s"}` });
  const incidentOf = new Map(all.map((a) => [a.driver, a.incident]));
  return drivers.map((driver) => ({ driver, incident: incidentOf.get(driver) ?? null }));
}

/** Acknowledgement vs repair: how much of the time to recover is waiting for someone to pick it up. */
function ackRepairDrivers(current: readonly IncidentRow[], previous: readonly IncidentRow[], change: number | null): Driver[] {
  const parts = (rows: readonly IncidentRow[]) => {
    const acked = rows.filter((r) => r.acknowledged_at !== null && r.resolved_at !== null);
    if (acked.length === 0) return null;
    const ack = acked.reduce((s, r) => s + (r.acknowledged_at! - r.created_at), 0) / acked.length / HOUR_MS;
    const repair = acked.reduce((s, r) => s + (r.resolved_at! - r.acknowledged_at!), 0) / acked.length / HOUR_MS;
    return { ack, repair };
  };
  const before = parts(previous);
  const after = parts(current);
  if (!after) return [];
  const total = after.ack + after.repair;
  const split: Driver[] = (["ack", "repair"] as const).map((part) => ({
    kind: "share" as const,
    label: part === "ack" ? "acknowledgement" : "repair",
    contribution: before ? after[part] - before[part] : null,
    share: null,
    previous: before ? before[part] : null,
    current: after[part],
    detail: `${total > 0 ? Math.round((100 * after[part]) / total) : 0} % of the time to recover (mean ${formatHours(after[part])})`,
  }));
  // Over acknowledged incidents only: the remainder is the incidents never acknowledged (and the mix).
  if (!before || change === null) return split;
  return whole(split, change, { top: 2, restLabel: () => "incidents without an acknowledgement", restDetail: "the two parts cover acknowledged incidents only" });
}

/**
 * The incident that dominated (its duration an outlier: above the previous window's p90, and it
 * alone moved the mean by a fifth or more of the change) and a slow acknowledgement share.
 */
function incidentFindings(metric: "mttr" | "mtta", drivers: readonly Driver[], current: readonly IncidentRow[], previous: readonly IncidentRow[]): Finding[] {
  const findings: Finding[] = [];
  const top = drivers.find((d) => !d.rest);
  const before = sortNumbers(previous.map(hoursOf));
  const p90 = percentile(before, 0.9);
  if (top && top.contribution !== null && top.contribution > 0 && p90 !== null && (top.current ?? 0) > p90 && (top.share ?? 0) >= 20) {
    const verb = metric === "mttr" ? "to resolve" : "to acknowledge";
    const exceed = before.filter((h) => h >= (top.current ?? 0)).length;
    findings.push({
      kind: "incident",
      text: `"${top.label}"${top.service ? ` (${top.service})` : ""} took ${formatHours(top.current ?? 0)} ${verb}, longer than 90 % of the previous window's incidents: what held it up, and is there a runbook for it?`,
      evidence: { observed: top.current ?? 0, expected: p90, n: before.length, p_value: (exceed + 1) / (before.length + 1) },
    });
  }
  if (metric === "mttr") {
    const split = ackRepairDrivers(current, previous, null);
    const ack = split.find((d) => d.label === "acknowledgement");
    const total = split.reduce((s, d) => s + (d.current ?? 0), 0);
    if (ack && total > 0 && (ack.current ?? 0) / total >= 0.2) {
      findings.push({
        kind: "acknowledgement",
        text: `Acknowledgement takes ${Math.round((100 * (ack.current ?? 0)) / total)} % of the time to recover: are pages reaching the right person?`,
        evidence: { observed: ack.current ?? 0, expected: total, n: current.length, p_value: null },
      });
    }
  }
  return findings;
}

/** A note is text: the open incident's age rounded as the answers show durations (stats keep it exact). */
function ageText(hours: number | null): string {
  return hours === null ? "age unknown" : formatHours(hours);
}
