// The 12-week sparkline of an answer's series, in text and Block Kit alike.

const BARS = "▁▂▃▄▅▆▇█";
/** Marks a week still in progress in a sparkline: its value is not comparable with full weeks. */
const PARTIAL_MARK = "·";

/**
 * A 12-week sparkline; gaps (no data) are shown as a space. `partial` flags weeks still in
 * progress: they are drawn as PARTIAL_MARK and left out of the scale, so half a week of data does
 * not end every line in "▁".
 */
export function sparkline(values: readonly (number | null)[], partial: readonly boolean[] = []): string {
  const present = values.filter((v, i): v is number => v !== null && Number.isFinite(v) && !partial[i]);
  if (present.length === 0 && !partial.some(Boolean)) return "";
  const min = Math.min(...present);
  const max = Math.max(...present);
  return values
    .map((v, i) => {
      if (partial[i]) return PARTIAL_MARK;
      if (v === null || !Number.isFinite(v)) return " ";
      if (max === min) return BARS[3];
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))];
    })
    .join("");
}

/**
 * Which points of a weekly series are a week still in progress: only the last can be (the series
 * ends where the window ends, src/metrics/frame.ts), when it is shorter than the week before it.
 */
export function partialWeeks(series: readonly { readonly from: string; readonly to: string }[]): boolean[] {
  const length = (p: { from: string; to: string }) => Date.parse(p.to) - Date.parse(p.from);
  const last = series[series.length - 1];
  const before = series[series.length - 2];
  // 0.9, not 1: a week across a DST change is an hour shorter than the one before it.
  const partial = last !== undefined && before !== undefined && length(last) < 0.9 * length(before);
  return series.map((_, i) => partial && i === series.length - 1);
}

/** The sparkline of a KPI answer's weekly series, with its partial week marked. */
export function seriesSparkline(series: readonly { readonly from: string; readonly to: string; readonly value: number | null }[]): string {
  return sparkline(
    series.map((p) => p.value),
    partialWeeks(series),
  );
}
