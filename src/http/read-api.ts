import type { AppDeps } from "../app-deps.js";
import { rowsCsv, rowsFileName } from "../present/csv.js";
import { questionRows } from "../query/answer-rows.js";
import { answerJson, askText, parseQuestionText } from "../query/ask-text.js";
import type { QueryContext } from "../query/types.js";
import type { Compute } from "../query/compute-queue.js";
import { checkBearer } from "./ingest.js";
import type { HttpRoute, RouteResponse } from "./server.js";

// GET /api/v1/kpi?q=<question>[&format=json|csv]: the `/kpi` language for other programs (BI
// tools, decks, scripts). The JSON is what `vitals ask --json` prints for the same data and moment
// (one code path: src/query/ask-text.ts); format=csv is `vitals ask --csv`. Answers take their
// turn on the compute queue Slack's answers use, so a burst of reads cannot hold back Slack's
// acknowledgements (src/query/compute-queue.ts).

const READ_API_PATH = "/api/v1/kpi";
const FORMATS = ["json", "csv"] as const;

export function readApiRoute(deps: AppDeps, compute: Compute): HttpRoute {
  return {
    method: "GET",
    path: READ_API_PATH,
    async handle(request) {
      const denied = checkBearer(request, deps.env.VITALS_READ_TOKEN, { setting: "VITALS_READ_TOKEN", api: "the read API" });
      if (denied) return denied;
      const params = request.url.searchParams;
      const text = (params.get("q") ?? "").trim();
      if (!text) return { status: 400, body: { error: 'q: expected a question in the /kpi language, e.g. ?q=cfr+last+30d+for+payments (try ?q=help)' } };
      const format = params.get("format") ?? "json";
      if (!(FORMATS as readonly string[]).includes(format)) return { status: 400, body: { error: `format: expected one of ${FORMATS.join(", ")}, got "${format}"` } };
      const response = await compute((): Promise<RouteResponse> => {
        const ctx: QueryContext = { store: deps.store, config: deps.config, nowMs: deps.now() };
        return format === "csv" ? csvResponse(ctx, text) : jsonResponse(ctx, text);
      });
      deps.logger.info({ requestId: request.requestId, format, status: response.status }, "read API answered");
      return { ...response, headers: { "cache-control": "no-store", ...response.headers } };
    },
  };
}

async function jsonResponse(ctx: QueryContext, text: string): Promise<RouteResponse> {
  const asked = await askText(ctx, text);
  if (!asked.ok) return { status: 400, body: { error: asked.error } };
  return { status: 200, body: answerJson(asked.result) };
}

async function csvResponse(ctx: QueryContext, text: string): Promise<RouteResponse> {
  const parsed = await parseQuestionText(ctx, text);
  if (!parsed.ok) return { status: 400, body: { error: parsed.error } };
  const rows = await questionRows(ctx, parsed.value);
  if (!rows.ok) return { status: 400, body: { error: rows.error } };
  const name = rowsFileName(rows.table, rows.request.scope, new Date(rows.request.window.toMs).toISOString());
  return {
    status: 200,
    body: rowsCsv(rows.table),
    headers: { "content-type": "text/csv; charset=utf-8; header=present", "content-disposition": `attachment; filename="${name}"` },
  };
}
