import type { Unit } from "../domain/metric-ids.js";

// THE value formatter: one wording per unit for every text Vitals shows (answers' driver details,
// prompts and findings; CLI text; Block Kit; digests; alerts), so a prompt, a block and a digest line
// never disagree (issue 12). A leaf: it imports only src/domain, so src/metrics and src/query may use
// it too (the documented exception in docs/architecture.md's layer order).
//   per_day  "0.43/day", "1.4/day", "12/day"   hours  "45 min", "3.2 h" (under 48 h), "4.5 d"
//   percent  "12.3 %", "99.95 %" (≥ 99)   ms     "212 ms"     usd_per_user_month  "$1.23/user/mo"
//   changes  "+1.2 pp" for percent metrics, a relative "+12 %" otherwise

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "N/A";
  switch (unit) {
    case "per_day":
      // Under 1 a day keeps two decimals ("0.04/day", not "0/day"), as the change beside it needs.
      return `${round(value, value < 1 ? 2 : value < 10 ? 1 : 0)}/day`;
    case "hours":
      if (value < 1) return `${Math.round(value * 60)} min`;
      if (value < 48) return `${round(value, 1)} h`;
      return `${round(value / 24, 1)} d`;
    case "percent":
      return `${round(value, value >= 99 ? 2 : 1)} %`;
    case "ms":
      return `${Math.round(value)} ms`;
    case "usd_per_user_month":
      return `$${value.toFixed(2)}/user/mo`;
  }
}

/** A change: percentage points for percent metrics, a relative change otherwise. */
export function formatChange(absolute: number | null, percent: number | null, unit: Unit): string {
  // Percentage points as a signed amount: a small change keeps its digits ("−0.04 pp", not "±0 pp"
  // beside "4.7 % → 4.6 %").
  if (unit === "percent") return formatSigned(absolute, "percent");
  if (percent === null) return absolute === 0 ? "±0 %" : "–";
  const magnitude = String(Math.round(Math.abs(percent)));
  return `${magnitude === "0" ? "±" : sign(percent)}${magnitude} %`;
}

/** Change of `value` relative to `base`, in the same style as formatChange. */
export function formatVersus(value: number | null, base: number | null, unit: Unit): string {
  if (value === null || base === null) return "–";
  const absolute = value - base;
  const percent = base === 0 ? null : (absolute / Math.abs(base)) * 100;
  return formatChange(absolute, percent, unit);
}

/** A signed amount in the metric's unit: "+1.2 pp", "−3.5 h", "+0.4/day", "±0 pp". */
export function formatSigned(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return "–";
  const size = Math.abs(value);
  // A small part keeps enough digits to be seen ("−0.04 pp", not "−0 pp" beside "65 % of the change").
  const text =
    unit === "percent"
      ? `${round(size, size === 0 || size >= 0.1 ? 1 : size >= 0.01 ? 2 : 3)} pp`
      : unit === "usd_per_user_month" && size > 0 && size < 0.01
        ? `$${size.toFixed(4)}/user/mo`
        : formatValue(size, unit);
  // What rounds to nothing has no direction: "±0 pp", "±0 min", never "−0".
  const zero = !/[1-9]/.test(text);
  return `${zero || value === 0 ? "±" : value > 0 ? "+" : "−"}${text}`;
}

/** A duration given in hours: "45 min", "3.2 h", "4.5 d". */
export function formatHours(hours: number | null): string {
  return formatValue(hours, "hours");
}

export function formatCount(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "N/A" : Math.round(value).toLocaleString("en-US");
}

/** A share in percent (42 → "42 %"). */
export function formatShare(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return "–";
  const rounded = Math.round(share);
  // The typographic minus, as every other signed figure in text ("−1.3 pp (−29 % of the change)").
  return `${rounded < 0 ? "−" : ""}${Math.abs(rounded)} %`;
}

function sign(n: number): string {
  return n > 0 ? "+" : n < 0 ? "−" : "±";
}

/** `value` to `digits` decimals without trailing zeros ("4.5", "4", "0.04"). */
export function round(value: number, digits: number): string {
  return value.toFixed(digits).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}
