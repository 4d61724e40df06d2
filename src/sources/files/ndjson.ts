import type { SourceName, VitalsRecord } from "../../domain/records.js";
import { recordProblems, recordSchema, toRecord } from "./record-schema.js";

const MAX_REPORTED_PROBLEMS = 50;

export type ParseResult =
  | { ok: true; records: VitalsRecord[] }
  | { ok: false; problems: string[]; badCount: number };

/**
 * Parse newline-delimited JSON records. Every bad line is reported as `file:line: field: problem`
 * (up to MAX_REPORTED_PROBLEMS, with a count of the rest); one bad line rejects the whole file.
 */
export function parseNdjson(text: string, fileName: string, source: SourceName): ParseResult {
  const lines = text.split(/\r?\n/);
  const items: { location: string; value: unknown }[] = [];
  const problems: string[] = [];
  let badCount = 0;
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "") return;
    const location = `${fileName}:${index + 1}`;
    try {
      items.push({ location, value: JSON.parse(trimmed) });
    } catch (error) {
      badCount++;
      problems.push(`${location}: not valid JSON (${(error as Error).message})`);
    }
  });
  return validate(items, problems, badCount, source);
}

/** The same for a list of already-parsed values (a JSON array body); locations are `[index]`. */
export function parseRecordList(values: readonly unknown[], label: string, source: SourceName): ParseResult {
  return validate(values.map((value, index) => ({ location: `${label}[${index}]`, value })), [], 0, source);
}

function validate(
  items: readonly { location: string; value: unknown }[],
  problems: string[],
  badCount: number,
  source: SourceName,
): ParseResult {
  const records: VitalsRecord[] = [];
  const seen = new Map<string, string>();
  for (const { location, value } of items) {
    const result = recordSchema.safeParse(value);
    if (!result.success) {
      badCount++;
      for (const issue of result.error.issues) problems.push(`${location}: ${issue.path.join(".") || "record"}: ${issue.message}`);
      continue;
    }
    const extra = recordProblems(result.data);
    if (extra.length > 0) {
      badCount++;
      for (const p of extra) problems.push(`${location}: ${p.field}: ${p.message}`);
      continue;
    }
    if (result.data.kind === "deployment" || result.data.kind === "incident") {
      // The same id twice in one batch is ambiguous: which one is true?
      const key = `${result.data.kind}:${result.data.id}`;
      const first = seen.get(key);
      if (first) {
        badCount++;
        problems.push(`${location}: id: duplicate ${result.data.kind} id "${result.data.id}" (first at ${first})`);
        continue;
      }
      seen.set(key, location);
    }
    records.push(toRecord(result.data, source));
  }
  if (badCount > 0) {
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    return { ok: false, problems: shown, badCount };
  }
  return { ok: true, records };
}
