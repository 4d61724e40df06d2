import type { StoreOptions } from "../config/store-options.js";
import { alertOps } from "./alerts.js";
import { confirmationOps } from "./confirmations.js";
import { derivedOps } from "./derived/engine.js";
import { digestOps } from "./digests.js";
import { githubOps } from "./github.js";
import { reviewOps } from "./reviews.js";
import { slackSettingsOps } from "./slack-settings.js";
import type { Dialect } from "./sql/dialect.js";

// Every operation of the store (src/store/sql/query.ts), written once for both engines: the table
// modules' operations, and the units of work that span several (a write of records with the sync
// cursor or webhook delivery that goes with it). src/store/index.ts binds them to an engine.

export function storeOps(d: Dialect, options: StoreOptions) {
  const derived = derivedOps(d);
  // App state: alerts, digests, reviews, Slack settings, link confirmations, the GitHub connector's reads.
  const appState = {
    alerts: alertOps(d),
    digests: digestOps(d),
    reviews: reviewOps(d),
    slack: slackSettingsOps(d),
    confirmations: confirmationOps(options),
    github: githubOps(derived),
  };
  return { options, derived, ...appState };
}

export type StoreOps = ReturnType<typeof storeOps>;
