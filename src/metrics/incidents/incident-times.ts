import { incidentTimes, namedIncidents } from "./compute.js";
import type { MetricSpec, ReadInput } from "../spec.js";
import type { MetricReads } from "../../store/metric-reads.js";
import { MEAN, REST, THIN, TREND } from "../words.js";

// What MTTR and MTTA share (docs/metrics.md "Incidents"): the same read over another time column,
// the same computation and methods.

export type IncidentTimesData = Parameters<typeof incidentTimes>;

export async function readIncidentTimes(metric: "mttr" | "mtta", reads: MetricReads, { frame, services, nowMs }: ReadInput): Promise<IncidentTimesData> {
  const column = metric === "mttr" ? "resolved_at" : "acknowledged_at";
  const rows = await reads.incidents(column, { fromMs: frame.previous.fromMs, toMs: frame.current.toMs }, services);
  const named = namedIncidents(rows, frame);
  return [
    metric,
    await reads.incidentSlices(column, frame.cuts, services),
    rows,
    await reads.openAt(metric === "mttr" ? "unresolved" : "unacknowledged", frame.current.toMs, services),
    frame,
    nowMs,
    named.length > 0 ? await reads.incidentTitles(named) : [],
  ];
}

export const computeIncidentTimes: MetricSpec<IncidentTimesData>["compute"] = (data) => incidentTimes(...data);

export const INCIDENT_TIME_METHODS: MetricSpec["methods"] = {
  attribution: `${MEAN}, by service and by severity; by incident, each incident's excess over the previous mean ÷ the current count; ${REST}`,
  test: `Welch's t test on log durations; ${THIN}; ${TREND}`,
  interval: "t interval of the mean",
};
