import { createHash, timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../app-deps.js";
import { COVERAGE_FORMATS, parseCoverageReport, type CoverageFormat } from "../sources/files/coverage/index.js";
import { parseNdjson, parseRecordList, type ParseResult } from "../sources/files/ndjson.js";
import type { RecordWriteResult, WriteStats } from "../store/index.js";
import type { HttpRoute, InboundRequest, RouteResponse } from "./server.js";

// POST /api/v1/records: the push side of every KPI (Jenkins, Argo CD, Opsgenie, CI coverage steps,
// active users). Same record format as `vitals import`: a JSON array or NDJSON. A request is
// written whole or not at all, and records are identified by their ids, so a retried request
// changes nothing.

export const INGEST_PATH = "/api/v1/records";
const COVERAGE_PATH = "/api/v1/coverage";

export function ingestRoute(deps: AppDeps): HttpRoute {
  return {
    method: "POST",
    path: INGEST_PATH,
    maxBodyBytes: deps.env.INGEST_MAX_BODY_BYTES,
    async handle(request) {
      const denied = checkBearer(request, deps.env.VITALS_INGEST_TOKEN);
      if (denied) return denied;
      const parsed = parseBody(request.rawBody.toString("utf8"));
      if (!parsed.ok) {
        deps.logger.info({ requestId: request.requestId, badRecords: parsed.badCount }, "ingest request rejected");
        return {
          status: 400,
          body: {
            error: `${parsed.badCount} bad record${parsed.badCount === 1 ? "" : "s"}; nothing was written`,
            problems: parsed.problems,
            errors: parsed.problems.map(structured),
          },
        };
      }
      if (parsed.records.length === 0) return { status: 400, body: { error: "no records: send a JSON array or NDJSON, one record per line" } };
      const result = await deps.store.write(parsed.records);
      const body = { received: parsed.records.length, ...counts(result) };
      deps.logger.info({ requestId: request.requestId, ...body }, "ingest request written");
      return { status: 200, body };
    },
  };
}

/**
 * POST /api/v1/coverage?service=ID[&at=ISO][&format=lcov|cobertura|istanbul]: a CI step sends its
 * coverage report as is (LCOV, Cobertura XML or Istanbul coverage-summary.json) and Vitals stores
 * one coverage_pct sample, as `vitals coverage` does. Same token and size limit as the records API.
 */
export function coverageIngestRoute(deps: AppDeps): HttpRoute {
  return {
    method: "POST",
    path: COVERAGE_PATH,
    maxBodyBytes: deps.env.INGEST_MAX_BODY_BYTES,
    async handle(request) {
      const denied = checkBearer(request, deps.env.VITALS_INGEST_TOKEN);
      if (denied) return denied;
      const params = request.url.searchParams;
      const service = params.get("service") ?? "";
      const problems: string[] = [];
      if (!/^[a-z0-9][a-z0-9_.-]*$/.test(service)) problems.push(`service: expected a lower-case service id in the query string (?service=checkout), got "${service}"`);
      const known = deps.config.services.map((s) => s.id);
      if (service && known.length > 0 && !known.includes(service)) problems.push(`service: unknown service "${service}"; the config file has ${known.join(", ")}`);
      const at = params.get("at");
      const atMs = at === null ? undefined : Date.parse(at);
      if (at !== null && (Number.isNaN(atMs) || !/T.*([zZ]|[+-]\d\d:?\d\d)$/.test(at))) problems.push(`at: expected an ISO timestamp with an offset, e.g. 2026-05-04T10:00:00Z, got "${at}"`);
      const format = params.get("format") ?? undefined;
      if (format !== undefined && !COVERAGE_FORMATS.includes(format as CoverageFormat)) problems.push(`format: expected one of ${COVERAGE_FORMATS.join(", ")}, got "${format}"`);
      if (problems.length > 0) return { status: 400, body: { error: "bad coverage request; nothing was written", problems } };
      const parsed = parseCoverageReport(request.rawBody.toString("utf8"), "report", format as CoverageFormat | undefined);
      if (!parsed.ok) return { status: 400, body: { error: "bad coverage report; nothing was written", problems: parsed.problems } };
      const { coverage } = parsed;
      const sample = { kind: "metric", source: "coverage", service, name: "coverage_pct", atMs: atMs ?? coverage.generatedAtMs ?? deps.now(), value: coverage.pct } as const;
      const result = await deps.store.write([sample]);
      const body = {
        service,
        at: new Date(sample.atMs).toISOString(),
        format: coverage.format,
        lines_covered: coverage.linesCovered,
        lines_valid: coverage.linesValid,
        coverage_pct: coverage.pct,
        metrics: plain(result.samples),
      };
      deps.logger.info({ requestId: request.requestId, service, coveragePct: coverage.pct }, "coverage report written");
      return { status: 200, body };
    },
  };
}

/** 401 unless the request carries the route's token (default: the ingest token); undefined when it does. */
export function checkBearer(
  request: InboundRequest,
  token: string | undefined,
  guard: { readonly setting: string; readonly api: string } = { setting: "VITALS_INGEST_TOKEN", api: "the ingest API" },
): RouteResponse | undefined {
  const challenge = { "www-authenticate": 'Bearer realm="vitals"' };
  if (!token) return { status: 401, headers: challenge, body: { error: `${guard.api} is disabled: set ${guard.setting} on the server` } };
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return { status: 401, headers: challenge, body: { error: `missing bearer token: send Authorization: Bearer <${guard.setting}>` } };
  // Hashing first gives equal-length inputs, so the comparison time says nothing about the token.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (!timingSafeEqual(digest(match[1]!), digest(token))) return { status: 401, headers: challenge, body: { error: "wrong bearer token" } };
  return undefined;
}

/** A JSON array (problems at `records[i]`), one JSON object, or NDJSON (problems at `body:line`). */
function parseBody(text: string): ParseResult {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") && trimmed.includes("\n")) {
    // A single pretty-printed record is one JSON value, not NDJSON.
    try {
      return parseRecordList([JSON.parse(trimmed) as unknown], "records", "api");
    } catch {
      // Not one value: NDJSON, reported line by line below.
    }
  }
  if (trimmed.startsWith("[")) {
    let values: unknown;
    try {
      values = JSON.parse(trimmed);
    } catch (error) {
      return { ok: false, badCount: 1, problems: [`body: not valid JSON (${(error as Error).message})`] };
    }
    return parseRecordList(values as unknown[], "records", "api");
  }
  return parseNdjson(text, "body", "api");
}

interface RecordError {
  index?: number;
  line?: number;
  field?: string;
  message: string;
}

/** `records[3]: service: expected …` / `body:4: at: expected …` → { index, field, message }. */
function structured(problem: string): RecordError {
  const match = /^(?:records\[(\d+)\]|body:(\d+)): (?:([^:]+): )?(.*)$/.exec(problem);
  if (!match) return { message: problem };
  const error: RecordError = { message: match[4]! };
  if (match[1] !== undefined) error.index = Number(match[1]);
  if (match[2] !== undefined) error.line = Number(match[2]);
  if (match[3] !== undefined && !match[3].startsWith("not valid JSON")) error.field = match[3];
  else if (match[3] !== undefined) error.message = `${match[3]}: ${match[4]}`;
  return error;
}

const plain = (s: WriteStats): WriteStats => ({ inserted: s.inserted, updated: s.updated, unchanged: s.unchanged });

function counts(result: RecordWriteResult) {
  return {
    deployments: plain(result.deployments),
    incidents: plain(result.incidents),
    metrics: plain(result.samples),
    annotations: plain(result.annotations),
  };
}
