import type { PreviewRules } from "../../query/threshold-preview.js";
import type { SyncSource } from "../../sources/types.js";
import type { KpiSubcommand } from "../kpi-subcommand.js";
import { annotateSubcommand } from "./annotate.js";
import { configSubcommand } from "./config.js";
import { linkSubcommand } from "./link.js";
import { reviewsSubcommand } from "./reviews.js";
import { subscribeSubcommand } from "./subscribe.js";
import { createSyncSubcommand } from "./sync.js";
import { createThresholdPreviewSubcommand } from "./threshold-preview.js";
import { thresholdSetSubcommand } from "./threshold-set.js";

/** What the subcommands that compute or pull are built over; the composition root (src/app/) passes it. */
export interface SubcommandEngines {
  readonly syncSources: readonly SyncSource[];
  readonly preview: PreviewRules;
}

/**
 * Every `/kpi <subcommand>`, in the order `/kpi help` lists them. Anything else after `/kpi` is a
 * question for the query language (metric, summary, explain, help: src/query/parse.ts).
 */
export function kpiSubcommands(engines: SubcommandEngines): readonly KpiSubcommand[] {
  return [
    configSubcommand,
    reviewsSubcommand,
    createSyncSubcommand(engines.syncSources),
    thresholdSetSubcommand,
    createThresholdPreviewSubcommand(engines.preview),
    annotateSubcommand,
    linkSubcommand,
    subscribeSubcommand,
  ];
}
