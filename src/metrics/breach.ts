import { METRICS, type MetricId } from "../domain/metric-ids.js";
import type { Driver } from "../query/answer.js";

// A breach explained (issue 13): the segments whose own value is past the warn line, furthest into
// the breach first, whatever the change against the previous window.

export function pastTheLine(metric: MetricId, warn: number, drivers: readonly Driver[]): Driver[] {
  const worse = METRICS[metric].direction === "higher_is_worse";
  const seen = new Set<string>();
  const past = drivers
    .filter((d) => !d.rest && (d.kind === "service" || d.kind === "team") && typeof d.current === "number")
    .filter((d) => (worse ? d.current! >= warn : d.current! <= warn))
    .filter((d) => (seen.has(d.label) ? false : (seen.add(d.label), true)))
    .sort((a, b) => (worse ? b.current! - a.current! : a.current! - b.current!));
  // The services over the line name the breach; teams only when no single service is.
  const services = past.filter((d) => d.kind === "service");
  return services.length > 0 ? services : past;
}
