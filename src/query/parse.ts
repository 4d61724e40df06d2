import type { FileConfig } from "../config/file.js";
import { METRIC_IDS } from "../domain/metric-ids.js";
import { ORG, type Scope } from "../domain/scope.js";
import { ALL_ALIASES, matchMetric, metricByName, PREFERRED_ALIAS } from "./aliases.js";
import { suggest } from "./suggest.js";
import type { KpiQuestion } from "./types.js";
import { defaultWindow, parseWindow, WINDOW_EXAMPLES, type ParsedWindow } from "./windows.js";

// The `/kpi` language, shared by Slack and `vitals ask` (issue 3):
//   <metric> [window] [for <team|service>] [vs <window>]   |   summary|dora [window] [for …]
//   explain <metric>   |   help
// Case-insensitive; the window and the `for` clause may come in either order. Pure: the clock,
// the config and the known services are arguments. Errors are values that say what was expected.

export interface ParseContext {
  readonly nowMs: number;
  readonly config: FileConfig;
  /** Service ids known to the store (the config's services plus any seen in data). */
  readonly services: readonly string[];
}

type KpiParseErrorCode = "unknown_metric" | "unknown_scope" | "ambiguous_scope" | "bad_window" | "bad_syntax";

interface KpiParseFailure {
  readonly ok: false;
  readonly code: KpiParseErrorCode;
  /** One message a person can act on: what was wrong, "did you mean", and what was expected. */
  readonly error: string;
  readonly suggestions: readonly string[];
}

export type KpiParseResult = { readonly ok: true; readonly value: KpiQuestion } | KpiParseFailure;

export const METRIC_EXAMPLES = METRIC_IDS.map((id) => PREFERRED_ALIAS[id]).join(", ");
const SUMMARY_WORDS = new Set(["summary", "dora", "dora4", "four keys"]);
const HELP_WORDS = new Set(["help", "?", "-h", "--help"]);
const VS_WORDS = new Set(["vs", "vs.", "versus", "against"]);
const ORG_WORDS = new Set(["org", "organisation", "organization", "all", "everyone", "company"]);

export function parseKpiQuestion(text: string, ctx: ParseContext): KpiParseResult {
  const words = normalise(text);
  if (words.length === 0 || (words.length === 1 && HELP_WORDS.has(words[0]!))) return question({ kind: "help" });

  if (words[0] === "explain") {
    const name = words.slice(1).join(" ");
    if (!name) return failure("bad_syntax", `"explain" needs a metric. Expected explain <metric>, e.g. explain cfr; metrics: ${METRIC_EXAMPLES}.`);
    const metric = metricByName(name);
    if (metric) return question({ kind: "explain", metric });
    const prefix = matchMetric(words.slice(1));
    if (prefix) {
      return failure("bad_syntax", `"explain" takes a metric only (the definition is the same for every team and window). Expected explain <metric>, e.g. explain ${words.slice(1, 1 + prefix.length).join(" ")}.`, [`explain ${words.slice(1, 1 + prefix.length).join(" ")}`]);
    }
    return unknownMetric(name, "explain <metric>");
  }

  const summaryLength = SUMMARY_WORDS.has(words.slice(0, 2).join(" ")) ? 2 : SUMMARY_WORDS.has(words[0]!) ? 1 : 0;
  if (summaryLength > 0) {
    const tail = parseTail(words.slice(summaryLength), ctx);
    if (!tail.ok) return tail;
    if (tail.value.compareTo) return failure("bad_syntax", `"vs" compares one metric. Expected summary [window] [for <team|service>], or <metric> [window] vs <window>.`);
    return question({ kind: "summary", scope: tail.value.scope, window: tail.value.window.window, windowLabel: tail.value.window.label });
  }

  const match = matchMetric(words);
  if (!match) return unknownMetric(metricWords(words).join(" "), "<metric> [window] [for <team|service>] [vs <window>]");
  const tail = parseTail(words.slice(match.length), ctx);
  if (!tail.ok) return tail;
  const { scope, window, compareTo } = tail.value;
  return question({
    kind: "metric",
    request: { metric: match.metric, scope, window: window.window, windowLabel: window.label },
    ...(compareTo ? { compareTo: { window: compareTo.window, label: compareTo.label } } : {}),
  });
}

/** The canonical text of a question; `parseKpiQuestion(formatKpiQuestion(q))` gives `q` back (same now). */
export function formatKpiQuestion(q: KpiQuestion): string {
  switch (q.kind) {
    case "help":
      return "help";
    case "explain":
      return `explain ${q.metric}`;
    case "summary":
      return `summary ${q.windowLabel}${formatScope(q.scope)}`;
    case "metric":
      return `${q.request.metric} ${q.request.windowLabel}${formatScope(q.request.scope)}${q.compareTo ? ` vs ${q.compareTo.label}` : ""}`;
  }
}

function formatScope(scope: Scope): string {
  return scope.kind === "org" ? "" : ` for ${scope.kind} ${scope.id}`;
}

function normalise(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/^\s*\/?kpi\b/, "")
    .replace(/[?!,;]+\s*$/, "")
    .split(/\s+/)
    .filter(Boolean);
}

interface Tail {
  readonly scope: Scope;
  readonly window: ParsedWindow;
  readonly compareTo?: ParsedWindow;
}

/** `[window] [for <name>] [vs <window>]` after the metric. */
function parseTail(words: readonly string[], ctx: ParseContext): { ok: true; value: Tail } | KpiParseFailure {
  const vsAt = words.findIndex((w) => VS_WORDS.has(w));
  const head = vsAt < 0 ? words : words.slice(0, vsAt);
  const vsWords = vsAt < 0 ? undefined : words.slice(vsAt + 1);

  let scope: Scope = ORG;
  let windowWords = [...head];
  const forAt = head.indexOf("for");
  if (forAt >= 0) {
    // "for team X" / "for service X"; a lone "for team" names something called "team".
    const next = head[forAt + 1];
    const qualifier = (next === "team" || next === "service") && head[forAt + 2] !== undefined ? next : undefined;
    const nameAt = forAt + (qualifier ? 2 : 1);
    const name = head[nameAt];
    if (name === undefined) return failure("bad_syntax", `"for" needs a team or service. Expected for <team|service>; ${knownScopes(ctx)}.`);
    const resolved = resolveScope(name, qualifier, ctx);
    if (!resolved.ok) return resolved;
    scope = resolved.value;
    windowWords = [...head.slice(0, forAt), ...head.slice(nameAt + 1)];
  }

  const clock = { nowMs: ctx.nowMs, zone: zoneOf(scope, ctx.config), weekStart: ctx.config.week_start };
  let window = defaultWindow(ctx.nowMs);
  if (windowWords.length > 0) {
    const parsed = parseWindow(windowWords, clock);
    if (!parsed.ok) {
      // "cfr payments": a scope without "for" is the likeliest slip.
      const asScope = windowWords.length === 1 && forAt < 0 ? resolveScope(windowWords[0]!, undefined, ctx) : undefined;
      if (asScope?.ok) {
        const hint = `for ${windowWords[0]}`;
        return failure("bad_window", `"${windowWords[0]}" is not a window. Did you mean "${hint}"? Expected [window] [for <team|service>], e.g. last 30d ${hint}.`, [hint]);
      }
      return failure("bad_window", parsed.error);
    }
    window = parsed.value;
  }
  if (vsWords === undefined) return { ok: true, value: { scope, window } };
  if (vsWords.length === 0) return failure("bad_window", `"vs" needs a window. Expected vs <window>, e.g. vs last month; windows: ${WINDOW_EXAMPLES}.`);
  const compared = parseWindow(vsWords, clock);
  if (!compared.ok) return failure("bad_window", compared.error);
  return { ok: true, value: { scope, window, compareTo: compared.value } };
}

type ScopeResult = { ok: true; value: Scope } | KpiParseFailure;

function resolveScope(name: string, qualifier: "team" | "service" | undefined, ctx: ParseContext): ScopeResult {
  if (!qualifier && ORG_WORDS.has(name)) return { ok: true, value: ORG };
  const teams = ctx.config.teams.filter((t) => t.id.toLowerCase() === name || t.name.toLowerCase() === name);
  const services = serviceIds(ctx).filter((id) => id.toLowerCase() === name);
  const team = teams[0];
  const service = services[0];
  if (qualifier === "team" && team) return { ok: true, value: { kind: "team", id: team.id } };
  if (qualifier === "service" && service) return { ok: true, value: { kind: "service", id: service } };
  if (!qualifier) {
    if (team && service) {
      return failure("ambiguous_scope", `"${name}" is both a team and a service. Expected "for team ${name}" or "for service ${name}".`, [`team ${name}`, `service ${name}`]);
    }
    if (team) return { ok: true, value: { kind: "team", id: team.id } };
    if (service) return { ok: true, value: { kind: "service", id: service } };
  }
  const candidates = qualifier === "team" ? ctx.config.teams.map((t) => t.id) : qualifier === "service" ? serviceIds(ctx) : [...ctx.config.teams.map((t) => t.id), ...serviceIds(ctx)];
  const suggestions = suggest(name, candidates);
  const what = qualifier ?? "team or service";
  return failure(
    "unknown_scope",
    `unknown ${what} "${name}".${didYouMean(suggestions)} Expected for <${qualifier ?? "team|service"}>; ${knownScopes(ctx, qualifier)}.`,
    suggestions,
  );
}

function serviceIds(ctx: ParseContext): string[] {
  return [...new Set([...ctx.config.services.map((s) => s.id), ...ctx.config.teams.flatMap((t) => t.services), ...ctx.services])].sort();
}

function knownScopes(ctx: ParseContext, qualifier?: "team" | "service"): string {
  const list = (ids: string[]) => (ids.length === 0 ? "none configured" : ids.length > 12 ? `${ids.slice(0, 12).join(", ")}, … (${ids.length})` : ids.join(", "));
  const teams = `teams: ${list(ctx.config.teams.map((t) => t.id))}`;
  const services = `services: ${list(serviceIds(ctx))}`;
  return qualifier === "team" ? teams : qualifier === "service" ? services : `${teams}; ${services}`;
}

/** The team's zone for a team or a team's service, else the config's (issue 3: calendar windows). */
export function zoneOf(scope: Scope, config: FileConfig): string {
  if (scope.kind === "team") return config.teams.find((t) => t.id === scope.id)?.timezone ?? config.timezone;
  if (scope.kind === "service") return config.teams.find((t) => t.services.includes(scope.id))?.timezone ?? config.timezone;
  return config.timezone;
}

/** The words that should have named a metric: everything before the window, `for` or `vs`. */
function metricWords(words: readonly string[]): string[] {
  const stop = words.findIndex((w, i) => i > 0 && (w === "for" || VS_WORDS.has(w) || ["last", "past", "this", "since", "current"].includes(w) || /^\d/.test(w)));
  return words.slice(0, stop < 0 ? Math.min(words.length, 3) : stop);
}

function unknownMetric(name: string, form: string): KpiParseFailure {
  const suggestions = suggest(name, [...ALL_ALIASES, "summary", "help"], 2);
  return failure(
    "unknown_metric",
    `unknown metric "${name}".${didYouMean(suggestions)} Expected ${form}; metrics: ${METRIC_EXAMPLES} (or summary, explain <metric>, help).`,
    suggestions,
  );
}

function didYouMean(suggestions: readonly string[]): string {
  return suggestions.length === 0 ? "" : ` Did you mean ${suggestions.map((s) => `"${s}"`).join(" or ")}?`;
}

function failure(code: KpiParseErrorCode, error: string, suggestions: readonly string[] = []): KpiParseFailure {
  return { ok: false, code, error, suggestions };
}

function question(value: KpiQuestion): KpiParseResult {
  return { ok: true, value };
}
