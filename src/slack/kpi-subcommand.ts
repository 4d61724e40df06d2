import type { types } from "@slack/bolt";
import type { AppDeps } from "../app-deps.js";

// `/kpi <subcommand> …`: the router (src/slack/commands/kpi.ts) finds the subcommand by its first
// word(s) and calls `run`. A metric question (`/kpi mttr last 30d`) is the default when no
// subcommand matches. Subcommands are pure-ish: they read/write through deps and return a reply;
// the router acknowledges, checks admin rights and responds.

export interface KpiCommandContext {
  readonly deps: AppDeps;
  /** Words after the subcommand name. */
  readonly args: readonly string[];
  /** The full text after `/kpi`. */
  readonly text: string;
  readonly userId: string;
  readonly channelId: string;
  readonly isAdmin: boolean;
}

export interface KpiReply {
  /** Fallback text (notifications, screen readers); always set. */
  readonly text: string;
  readonly blocks?: types.KnownBlock[];
  /** Default ephemeral: only the asker sees it. */
  readonly responseType?: "ephemeral" | "in_channel";
}

export interface KpiSubcommand {
  /** One or two words: "explain", "reviews", "threshold preview". */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly adminOnly?: boolean;
  run(ctx: KpiCommandContext): Promise<KpiReply> | KpiReply;
}
