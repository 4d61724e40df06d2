import type { FileConfig } from "../config/file.js";
import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import { DAY_MS, scopeLabel, type Scope } from "../domain/scope.js";
import { thresholdStatus } from "../metrics/thresholds.js";
import { matchMetric } from "./aliases.js";
import type { KpiAnswer } from "../domain/answer.js";
import type { KpiRequest, ParseResult, QueryContext } from "./types.js";
import type { AlertStatus } from "../store/alerts.js";
import type { Direction, Unit } from "../domain/metric-ids.js";

// `/kpi threshold preview <metric> warn <x> critical <y> [for <scope>]`: before setting a
// threshold, replay it day by day over the last 90 days with the alert job's own rules
// (hysteresis included) and say how often it would have fired, and where it stands now.

const PREVIEW_DAYS = 90;
/** Each day's value is the metric over the 30 days before it, like "last 30d". */
const PREVIEW_WINDOW_DAYS = 30;

export interface PreviewRequest {
  readonly metric: MetricId;
  readonly warn: number;
  readonly critical: number;
  /** Explicit scope, or undefined for the organisation and every team. */
  readonly scope?: Scope;
}

export interface ScopePreview {
  readonly scope: Scope;
  readonly value: number | null;
  readonly status: AlertStatus | null;
  /** Posts the alert job would have made: breaches and escalations. */
  readonly fires: number;
  readonly criticalFires: number;
  /** Days on which the (hysteresis-held) status was warn or critical. */
  readonly breachedDays: number;
  readonly evaluatedDays: number;
}

export const PREVIEW_USAGE = "threshold preview <metric> warn <x> critical <y> [for team <id> | service <id> | org]";

export function parsePreviewArgs(args: readonly string[], config: FileConfig): ParseResult<PreviewRequest> {
  const words = args.map((w) => w.toLowerCase());
  const forAt = words.indexOf("for");
  const head = forAt >= 0 ? words.slice(0, forAt) : words;
  const tail = forAt >= 0 ? words.slice(forAt + 1) : [];
  const match = matchMetric(head);
  if (!match) return { ok: false, error: `Which metric? e.g. \`/kpi ${PREVIEW_USAGE.replace("<metric>", "cfr").replace("<x>", "10").replace("<y>", "15")}\`` };
  const rest = head.slice(match.length).filter((w) => w !== "warn" && w !== "critical" && w !== "%");
  const numbers = rest.map((w) => Number(w.replace(/%$/, "")));
  if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n))) {
    return { ok: false, error: `Give two numbers, the warn and the critical level: \`/kpi ${PREVIEW_USAGE}\`` };
  }
  const [warn, critical] = numbers as [number, number];
  const direction = METRICS[match.metric].direction;
  if (direction === "higher_is_worse" ? critical < warn : critical > warn) {
    return { ok: false, error: `For ${METRICS[match.metric].label}, ${direction === "higher_is_worse" ? "higher" : "lower"} is worse: critical must be ${direction === "higher_is_worse" ? "at or above" : "at or below"} warn.` };
  }
  if (tail.length === 0) return { ok: true, value: { metric: match.metric, warn, critical } };
  const scope = parseScope(tail, config);
  return scope.ok ? { ok: true, value: { metric: match.metric, warn, critical, scope: scope.value } } : scope;
}

function parseScope(words: readonly string[], config: FileConfig): ParseResult<Scope> {
  const [first, second] = words;
  if (first === "org" || first === "organisation" || first === "organization") return { ok: true, value: { kind: "org", id: null } };
  const id = first === "team" || first === "service" ? second : first;
  const team = config.teams.find((t) => t.id === id);
  const service = config.services.some((s) => s.id === id) || config.teams.some((t) => t.services.includes(id ?? ""));
  if (first !== "service" && team) return { ok: true, value: { kind: "team", id: team.id } };
  if (first !== "team" && service && id) return { ok: true, value: { kind: "service", id } };
  return { ok: false, error: `Unknown ${first === "service" ? "service" : first === "team" ? "team" : "team or service"} "${id ?? ""}". Teams: ${config.teams.map((t) => t.id).join(", ") || "none configured"}.` };
}

type AnswerFn = (ctx: QueryContext, request: KpiRequest) => Promise<KpiAnswer>;

interface AlertMemory {
  readonly status: AlertStatus;
  readonly acknowledgedAtMs: number | null;
  readonly lastNotifiedAtMs: number | null;
}

/**
 * The alert job's state machine (`decideAlert`, src/alerts/decide.ts), passed in by the composition
 * root: query code imports nothing from the alerts layer above it.
 */
type DecideAlertFn = (
  memory: AlertMemory | undefined,
  reading: { status: AlertStatus | null; value: number | null; warn: number; critical: number; direction: Direction; unit: Unit },
  policy: { hysteresisPct: number; reminderMs: number },
  nowMs: number,
) => { readonly kind: string; readonly status: AlertStatus | null };

export interface PreviewRules {
  readonly answerKpi: AnswerFn;
  readonly decideAlert: DecideAlertFn;
}

export async function previewThreshold(ctx: QueryContext, rules: PreviewRules, request: PreviewRequest): Promise<ScopePreview[]> {
  const { answerKpi: answer, decideAlert } = rules;
  const scopes: Scope[] = request.scope ? [request.scope] : [{ kind: "org", id: null }, ...ctx.config.teams.map((t) => ({ kind: "team" as const, id: t.id }))];
  const info = METRICS[request.metric];
  const policy = { hysteresisPct: ctx.config.alerts.hysteresis_pct, reminderMs: Infinity };
  const levels = { warn: request.warn, critical: request.critical };
  const previews: ScopePreview[] = [];
  for (const scope of scopes) {
    let memory: AlertMemory | undefined;
    let fires = 0;
    let criticalFires = 0;
    let breachedDays = 0;
    let evaluatedDays = 0;
    let last: { value: number | null; status: AlertStatus | null } = { value: null, status: null };
    // Oldest first, ending at now, so the state machine sees the days in order.
    for (let day = PREVIEW_DAYS - 1; day >= 0; day--) {
      const toMs = ctx.nowMs - day * DAY_MS;
      const { value } = await answer(ctx, {
        metric: request.metric,
        scope,
        window: { fromMs: toMs - PREVIEW_WINDOW_DAYS * DAY_MS, toMs },
        windowLabel: `last ${PREVIEW_WINDOW_DAYS} days`,
      });
      const status = thresholdStatus(value, levels, info.direction);
      const action = decideAlert(memory, { status, value, ...levels, direction: info.direction, unit: info.unit }, policy, toMs);
      if (action.kind === "breach" || action.kind === "escalate") {
        fires++;
        if (action.status === "critical") criticalFires++;
      }
      if (action.status !== null) {
        memory = { status: action.status, acknowledgedAtMs: null, lastNotifiedAtMs: toMs };
        evaluatedDays++;
        if (action.status !== "ok") breachedDays++;
      }
      last = { value, status: action.status ?? memory?.status ?? null };
    }
    previews.push({ scope, value: last.value, status: last.status, fires, criticalFires, breachedDays, evaluatedDays });
  }
  return previews;
}

export function previewText(request: PreviewRequest, previews: readonly ScopePreview[], format: (v: number | null) => string): string {
  const info = METRICS[request.metric];
  const lines = [
    `*Threshold preview: ${info.label}* warn ${format(request.warn)}, critical ${format(request.critical)}`,
    `_Replayed daily over the last ${PREVIEW_DAYS} days on ${PREVIEW_WINDOW_DAYS}-day windows, with the alert job's hysteresis._`,
  ];
  for (const p of previews) {
    const now = p.status === null ? "no data now" : `now ${format(p.value)} (${p.status === "ok" ? "ok" : p.status.toUpperCase()})`;
    const fired =
      p.evaluatedDays === 0
        ? "no data in the period"
        : p.fires === 0
          ? "would not have fired"
          : `would have fired ${p.fires} time${p.fires === 1 ? "" : "s"}${p.criticalFires ? ` (${p.criticalFires} critical)` : ""}, breached on ${p.breachedDays} of ${p.evaluatedDays} days`;
    lines.push(`• ${capitalise(scopeLabel(p.scope))}: ${now} · ${fired}`);
  }
  return lines.join("\n");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
