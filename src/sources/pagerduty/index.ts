import type { AppDeps } from "../../app-deps.js";
import type { SyncSource } from "../types.js";
import { serviceMapping } from "./normalise.js";
import { syncPagerduty, type ClientOverrides } from "./sync.js";

/**
 * PagerDuty incidents (REST API v2 through @pagerduty/pdjs): `vitals sync pagerduty` and the scheduled
 * sync. Configured when PAGERDUTY_TOKEN is set and the YAML file maps at least one service
 * (`services[].pagerduty.service_id`) or sets `pagerduty.all_services`.
 */
export function createPagerdutySource(overrides: ClientOverrides = {}): SyncSource {
  return {
    name: "pagerduty",
    configured(deps: Pick<AppDeps, "env" | "config">): boolean {
      return Boolean(deps.env.PAGERDUTY_TOKEN) && (serviceMapping(deps.config).size > 0 || deps.config.pagerduty.all_services);
    },
    sync: (deps, options = {}) => syncPagerduty(deps, options, overrides),
  };
}

export const pagerdutySource: SyncSource = createPagerdutySource();
