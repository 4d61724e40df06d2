import { parse } from "csv-parse/sync";
import type { VitalsRecord } from "../../domain/records.js";

// FinOps FOCUS cost exports (https://focus.finops.org, columns BilledCost, EffectiveCost,
// BillingCurrency, ChargePeriodStart, ChargePeriodEnd, ServiceName, Tags as a JSON object) → one
// `infra_cost_usd` sample per Vitals service and charge period start. Rows map to services by a tag
// (`cost.service_tag`); untagged rows, and rows tagged with a service the config does not know,
// are stored at organisation scope. Sharing untagged cost across services is a query-time
// choice (`cost.share_untagged`, docs/metrics.md), so the stored data stays the same either way.

export const COST_COLUMNS = ["BilledCost", "EffectiveCost"] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

export interface CostImportOptions {
  readonly serviceTag: string;
  /** Services the config file knows; empty means "accept any service id". */
  readonly knownServices: readonly string[];
  readonly costColumn?: CostColumn;
}

interface CostSummary {
  readonly rows: number;
  readonly totalUsd: number;
  readonly untaggedUsd: number;
  readonly services: number;
  /** Tag values that name no configured service (their cost counts at organisation scope). */
  readonly unknownTagValues: readonly string[];
}

export type CostParseResult = { ok: true; records: VitalsRecord[]; summary: CostSummary } | { ok: false; problems: string[] };

const MAX_PROBLEMS = 50;
const SERVICE_ID = /^[a-z0-9][a-z0-9_.-]*$/;

export function parseFocusCost(text: string, fileName: string, options: CostImportOptions): CostParseResult {
  const costColumn = options.costColumn ?? "BilledCost";
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false });
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { ok: false, problems: [`${fileName}${e.lines ? `:${e.lines}` : ""}: not valid CSV (${e.message.replace(/^Invalid Record Length: /, "")})`] };
  }
  if (rows.length === 0) return { ok: false, problems: [`${fileName}: no cost rows (expected a header line and at least one row)`] };
  const header = Object.keys(rows[0]!.record);
  const missing = [costColumn, "ChargePeriodStart", "ChargePeriodEnd"].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return { ok: false, problems: missing.map((c) => `${fileName}:1: ${c}: missing column (a FOCUS export has ${costColumn}, ChargePeriodStart and ChargePeriodEnd)`) };
  }

  const problems: string[] = [];
  const groups = new Map<string, { service: string | undefined; atMs: number; untilMs: number; value: number }>();
  const unknown = new Set<string>();
  let total = 0;
  let untagged = 0;
  for (const { record, info } of rows) {
    const where = `${fileName}:${info.lines}`;
    const rowProblems: string[] = [];
    const cost = number(record[costColumn]);
    if (cost === undefined) rowProblems.push(`${where}: ${costColumn}: expected a number, got ${JSON.stringify(record[costColumn] ?? "")}`);
    const currency = record["BillingCurrency"];
    if (currency !== undefined && currency !== "" && currency.toUpperCase() !== "USD") {
      rowProblems.push(`${where}: BillingCurrency: expected USD (costs are stored in US dollars), got "${currency}"`);
    }
    const start = time(record["ChargePeriodStart"]);
    const end = time(record["ChargePeriodEnd"]);
    if (start === undefined) rowProblems.push(`${where}: ChargePeriodStart: expected a UTC date-time such as 2026-05-01T00:00:00Z, got ${JSON.stringify(record["ChargePeriodStart"] ?? "")}`);
    if (end === undefined) rowProblems.push(`${where}: ChargePeriodEnd: expected a UTC date-time such as 2026-05-02T00:00:00Z, got ${JSON.stringify(record["ChargePeriodEnd"] ?? "")}`);
    if (start !== undefined && end !== undefined && end <= start) rowProblems.push(`${where}: ChargePeriodEnd: must be after ChargePeriodStart`);
    const tag = tagValue(record["Tags"], options.serviceTag);
    if (tag.problem) rowProblems.push(`${where}: Tags: ${tag.problem}`);
    if (rowProblems.length > 0 || cost === undefined || start === undefined || end === undefined) {
      problems.push(...rowProblems);
      continue;
    }
    let service = tag.value;
    if (service !== undefined && options.knownServices.length > 0 && !options.knownServices.includes(service)) {
      unknown.add(service);
      service = undefined;
    }
    total += cost;
    if (service === undefined) untagged += cost;
    const key = `${service ?? ""}\n${start}`;
    const group = groups.get(key) ?? { service, atMs: start, untilMs: end, value: 0 };
    group.value += cost;
    group.untilMs = Math.max(group.untilMs, end);
    groups.set(key, group);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    return { ok: false, problems: shown };
  }
  const records: VitalsRecord[] = [...groups.values()]
    .sort((a, b) => a.atMs - b.atMs || (a.service ?? "").localeCompare(b.service ?? ""))
    .map((g) => ({ kind: "metric", source: "cost", service: g.service, name: "infra_cost_usd", atMs: g.atMs, untilMs: g.untilMs, value: cents(g.value) }));
  const services = new Set([...groups.values()].map((g) => g.service).filter((s) => s !== undefined)).size;
  return { ok: true, records, summary: { rows: rows.length, totalUsd: cents(total), untaggedUsd: cents(untagged), services, unknownTagValues: [...unknown].sort() } };
}

/** Sums of many float rows: keep four decimals so that re-importing yields identical values. */
const cents = (value: number): number => Math.round(value * 10_000) / 10_000;

function number(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** FOCUS date-times are UTC ISO 8601; some exports write "2026-05-01 00:00:00" without the zone. */
function time(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const text = raw.trim().replace(" ", "T");
  if (!/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?)?([zZ]|[+-]\d\d:?\d\d)?$/.test(text)) return undefined;
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : text.includes("T") ? `${text}Z` : `${text}T00:00:00Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The service named by the tag in FOCUS's `Tags` JSON object; absent tags mean "untagged". */
function tagValue(raw: string | undefined, key: string): { value?: string; problem?: string } {
  if (raw === undefined || raw.trim() === "") return {};
  let tags: unknown;
  try {
    tags = JSON.parse(raw);
  } catch {
    return { problem: `expected a JSON object such as {"${key}":"checkout"}, got ${JSON.stringify(raw.slice(0, 80))}` };
  }
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return { problem: `expected a JSON object such as {"${key}":"checkout"}` };
  const value = (tags as Record<string, unknown>)[key];
  if (value === undefined || value === null || value === "") return {};
  const id = String(value).trim().toLowerCase();
  if (!SERVICE_ID.test(id)) return { problem: `${key}: expected a service id (letters, digits, '-', '_', '.'), got ${JSON.stringify(value)}` };
  return { value: id };
}
