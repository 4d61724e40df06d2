import { githubSource } from "./github/index.js";
import { gitlabSource } from "./gitlab/index.js";
import { pagerdutySource } from "./pagerduty/index.js";
import { prometheusSource } from "./prometheus/index.js";
import { sonarSource } from "./sonar/index.js";
import type { SyncSource } from "./types.js";

/** Every pulled source, in the order `vitals sync` and the scheduler run them. */
export const SYNC_SOURCES: readonly SyncSource[] = [githubSource, gitlabSource, pagerdutySource, prometheusSource, sonarSource];
