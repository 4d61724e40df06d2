import type { StoreOptions } from "../store/index.js";
import type { FileConfig } from "./file.js";
import { resolveIncidentFilters } from "./incident-filters.js";

/** What the store derives its links and flags with, from the config file. */
export function storeOptionsFrom(config: FileConfig): StoreOptions {
  return {
    productionEnvironment: config.production_environment,
    attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000,
    incidentFilters: resolveIncidentFilters(config),
  };
}
