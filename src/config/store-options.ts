import type { IncidentFilters } from "../domain/incident-filter.js";
import type { FileConfig } from "./file.js";
import { resolveIncidentFilters } from "./incident-filters.js";

// What the store needs from the configuration, defined here (config sits below the store in the layer
// order: docs/architecture.md) and built from the config file by storeOptionsFrom.

export interface StoreOptions {
  /** The environment name that counts for the delivery metrics (docs/metrics.md: `production`). */
  readonly productionEnvironment: string;
  /** CFR attribution window for the heuristic incident → deployment link. */
  readonly attributionWindowMs: number;
  /** Which incidents count (config `incidents`, resolved per service); default: every incident. */
  readonly incidentFilters?: IncidentFilters;
}

/** What the store derives its links and flags with, from the config file. */
export function storeOptionsFrom(config: FileConfig): StoreOptions {
  return {
    productionEnvironment: config.production_environment,
    attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000,
    incidentFilters: resolveIncidentFilters(config),
  };
}
