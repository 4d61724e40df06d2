import { lineCoverage, type CoverageResult } from "./types.js";

// Istanbul's `json-summary` reporter (coverage/coverage-summary.json, e.g. from Jest or nyc): a
// `total` entry plus one per file, each with lines/statements/functions/branches as
// { total, covered, skipped, pct }. `pct` is "Unknown" when nothing is coverable, so it is
// recomputed from the counts.

export function parseIstanbulSummary(text: string, fileName: string): CoverageResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${fileName}: not valid JSON (${(error as Error).message})`] };
  }
  const total = field(data, "total");
  const lines = field(total, "lines");
  if (lines === undefined) {
    return { ok: false, problems: [`${fileName}: total.lines: missing (expected an Istanbul json-summary report, e.g. coverage/coverage-summary.json)`] };
  }
  const problems: string[] = [];
  const count = (name: "covered" | "total"): number => {
    const value = field(lines, name);
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      problems.push(`${fileName}: total.lines.${name}: expected a whole number, got ${JSON.stringify(value) ?? "nothing"}`);
      return 0;
    }
    return value;
  };
  const covered = count("covered");
  const valid = count("total");
  if (problems.length > 0) return { ok: false, problems };
  return lineCoverage("istanbul", covered, valid, fileName);
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}
