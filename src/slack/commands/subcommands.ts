import type { KpiSubcommand } from "../kpi-subcommand.js";
import { annotateSubcommand } from "./annotate.js";
import { configSubcommand } from "./config.js";
import { linkSubcommand } from "./link.js";
import { reviewsSubcommand } from "./reviews.js";
import { subscribeSubcommand } from "./subscribe.js";
import { syncSubcommand } from "./sync.js";
import { thresholdPreviewSubcommand } from "./threshold-preview.js";
import { thresholdSetSubcommand } from "./threshold-set.js";

/**
 * Every `/kpi <subcommand>`, in the order `/kpi help` lists them. Anything else after `/kpi` is a
 * question for the query language (metric, summary, explain, help: src/query/parse.ts).
 */
export const KPI_SUBCOMMANDS: readonly KpiSubcommand[] = [
  configSubcommand,
  reviewsSubcommand,
  syncSubcommand,
  thresholdSetSubcommand,
  thresholdPreviewSubcommand,
  annotateSubcommand,
  linkSubcommand,
  subscribeSubcommand,
];
