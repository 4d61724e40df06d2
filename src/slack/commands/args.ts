import type { Scope } from "../../domain/scope.js";
import { parseKpiQuestion } from "../../query/parse.js";
import type { KpiCommandContext } from "../kpi-subcommand.js";
import { currentConfig, knownServices } from "../runtime.js";

// Argument helpers shared by the admin subcommands. Scopes are resolved by the `/kpi` parser itself
// (as `summary for <scope>`), so teams, services and "did you mean" behave exactly as in questions;
// the known services are read (awaited, issue 19) before the pure parse.

export type ArgResult<T> = { ok: true; value: T } | { ok: false; error: string };

export async function resolveScopeWords(ctx: Pick<KpiCommandContext, "deps">, words: readonly string[]): Promise<ArgResult<Scope>> {
  if (words.length === 0) return { ok: false, error: `"for" needs a team or service, e.g. for team payments` };
  const config = currentConfig(ctx.deps);
  const parsed = parseKpiQuestion(`summary for ${words.join(" ")}`, {
    nowMs: ctx.deps.now(),
    config,
    services: await knownServices(ctx.deps, config),
  });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.value.kind !== "summary") return { ok: false, error: `expected a team or service after "for"` };
  return { ok: true, value: parsed.value.scope };
}

/** Split `"quoted text" rest…` (Slack turns straight quotes into curly ones on some clients). */
export function takeQuoted(text: string): { quoted: string; rest: string } | undefined {
  const match = /^\s*["“”„']([^"“”„']+)["“”„']\s*(.*)$/s.exec(text);
  return match ? { quoted: match[1]!.trim(), rest: match[2]!.trim() } : undefined;
}

/** `<#C0123|name>` (escaped by Slack), `<#C0123>` or a bare `C0123` id. */
export function parseChannel(word: string): string | undefined {
  const escaped = /^<#([CG][A-Z0-9]{6,})(\|[^>]*)?>$/.exec(word);
  if (escaped) return escaped[1];
  return /^[CG][A-Z0-9]{6,}$/.test(word) ? word : undefined;
}

export function scopeName(scope: Scope): string {
  return scope.kind === "org" ? "the whole org" : `${scope.kind} ${scope.id}`;
}
