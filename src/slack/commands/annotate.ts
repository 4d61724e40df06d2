import { createHash } from "node:crypto";
import { DateTime } from "luxon";
import { zoneOf } from "../../query/parse.js";
import { noticeBlocks as notice } from "../../present/blocks/errors.js";
import { toReply } from "../reply.js";
import { escapeMrkdwn } from "../../present/blocks/format-slack.js";
import type { Scope } from "../../domain/scope.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";
import { currentConfig } from "../runtime.js";
import { resolveScopeWords, scopeName, takeQuoted } from "./args.js";

const noticeBlocks = (mrkdwn: string, detail?: string) => toReply(notice(mrkdwn, detail));

const USAGE = `annotate "<text>" [for <team|service>] [at <YYYY-MM-DD>]`;

function problem(message: string): KpiReply {
  return noticeBlocks(`:warning: ${escapeMrkdwn(message)}`, `Usage: \`/kpi ${USAGE}\`, e.g. \`/kpi annotate "release train moved to Fridays" for team checkout at 2026-03-02\``);
}

/** `/kpi annotate`: a note on the timeline ("froze deploys", "new on-call rota") shown in answers whose window holds it. */
export const annotateSubcommand: KpiSubcommand = {
  name: "annotate",
  usage: USAGE,
  summary: "add an annotation shown in answers and digests",
  adminOnly: true,
  async run(ctx) {
    const body = ctx.text.replace(/^\s*annotate\b/i, "");
    const quoted = takeQuoted(body);
    if (!quoted) return problem(`expected the annotation text in quotes.`);
    if (quoted.quoted.length > 500) return problem(`the text is ${quoted.quoted.length} characters; keep it under 500.`);
    const words = quoted.rest.split(/\s+/).filter(Boolean);
    const atIndex = words.findIndex((w) => w.toLowerCase() === "at");
    const forIndex = words.findIndex((w) => w.toLowerCase() === "for");
    if (words.length > 0 && forIndex !== 0 && atIndex !== 0) return problem(`unexpected "${words.join(" ")}" after the text.`);
    let scope: Scope = { kind: "org", id: null };
    if (forIndex >= 0) {
      const resolved = await resolveScopeWords(ctx, words.slice(forIndex + 1, atIndex > forIndex ? atIndex : undefined));
      if (!resolved.ok) return problem(resolved.error);
      scope = resolved.value;
    }
    const config = currentConfig(ctx.deps);
    const zone = zoneOf(scope, config);
    let atMs = ctx.deps.now();
    if (atIndex >= 0) {
      const dateWords = words.slice(atIndex + 1, forIndex > atIndex ? forIndex : undefined);
      const date = DateTime.fromISO(dateWords.join("T"), { zone });
      if (dateWords.length === 0 || dateWords.length > 2 || !date.isValid) return problem(`at: expected a date as YYYY-MM-DD (optionally HH:MM), got "${dateWords.join(" ")}".`);
      atMs = date.toMillis();
    }
    const scopeKey = scope.kind === "org" ? "org" : `${scope.kind}:${scope.id}`;
    // The same note for the same scope and moment is one annotation, however often it is sent.
    const externalId = createHash("sha256").update(`${scopeKey}\n${atMs}\n${quoted.quoted}`).digest("hex").slice(0, 24);
    await ctx.deps.store.write([
      {
        kind: "annotation",
        source: "slack",
        externalId,
        atMs,
        text: quoted.quoted,
        ...(scope.kind === "team" ? { team: scope.id } : {}),
        ...(scope.kind === "service" ? { service: scope.id } : {}),
        author: ctx.userId,
      },
    ]);
    const when = DateTime.fromMillis(atMs, { zone }).toFormat("LLL d, yyyy HH:mm");
    return noticeBlocks(`:pushpin: Annotated ${escapeMrkdwn(scopeName(scope))} at ${when} (${zone}): “${escapeMrkdwn(quoted.quoted)}”`);
  },
};
