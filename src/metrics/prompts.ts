import { METRICS, type MetricId } from "../domain/metric-ids.js";
import type { AnswerAnnotation, Driver } from "../query/answer.js";

// 2–4 root-cause questions drawn from the drivers: the metric's own findings first (a stage that
// grew, failures clustered on one weekday, the incident that dominated), then the segment that
// explains most of the change, then annotations in the window as candidate explanations.

export function buildPrompts(input: {
  metric: MetricId;
  hints: readonly string[];
  segments: readonly Driver[];
  annotations: readonly AnswerAnnotation[];
  change: number | null;
  format: (value: number | null) => string;
}): string[] {
  const prompts = [...input.hints];
  const info = METRICS[input.metric];
  const isSegment = (d: Driver): boolean => d.kind === "team" || d.kind === "service";
  const top = input.segments.find((d) => isSegment(d) && d.contribution !== null && d.contribution !== 0 && (d.share ?? 0) > 0);
  if (top && input.change) {
    const worse = info.direction === "higher_is_worse" ? input.change > 0 : input.change < 0;
    // Above 100 %: this segment moved it more than the total, others pulled the other way.
    const share = top.share === null ? "most of the change" : top.share > 1 ? "more than the whole change (others offset it)" : `${Math.round(top.share * 100)} % of the change`;
    prompts.push(
      `${top.label} accounts for ${share} (${input.format(top.previous ?? null)} → ${input.format(top.current ?? null)}): what changed there${worse ? " that made it worse" : ""}?`,
    );
  }
  for (const annotation of input.annotations.slice(-2)) {
    if (prompts.length >= 4) break;
    prompts.push(`"${annotation.text}" (${annotation.at.slice(0, 10)}${annotation.service ? `, ${annotation.service}` : ""}): did it move ${info.label.toLowerCase()}?`);
  }
  if (prompts.length < 2 && input.change !== null && input.change !== 0) {
    const second = input.segments.filter((d) => isSegment(d) && d !== top && (d.share ?? 0) > 0)[0];
    if (second) prompts.push(`${second.label} moved it too (${input.format(second.previous ?? null)} → ${input.format(second.current ?? null)}): same cause, or a different one?`);
  }
  return prompts.slice(0, 4);
}
