import { deploymentRatio, listedDeployments } from "./compute.js";
import { offsetSegments } from "../frame.js";
import type { MetricSpec } from "../spec.js";
import { count, deploymentLines, envSetting, DORA, FORGE, FORGE_SETUP, RATIO, REST, SPEC, THIN, TREND, unresolvedRollbacks, deploymentCausedIncidents } from "../words.js";

// Deployment rework rate (docs/metrics.md "Delivery"; DORA 2024): unplanned-fix deployments ÷ all
// successful production deployments.

export const reworkRateSpec: MetricSpec<Parameters<typeof deploymentRatio>> = {
  id: "rework_rate",
  label: "Deployment rework rate",
  unit: "percent",
  direction: "higher_is_worse",
  aliases: ["rework", "rework rate", "deployment rework rate"],
  sampleNoun: "deployments",
  howToConnect: `deployments come from ${FORGE}: ${FORGE_SETUP}, then \`vitals sync\` (or \`/kpi sync\`)`,
  definitionLine: ({ sample_size: n, stats: s }, windowLabel) => `${s["rework"] ?? 0} of ${n} production deployments in ${windowLabel} were rollbacks or hotfixes`,
  explain: ({ config }) => ({
    definition: `Successful "${config.production_environment}" deployments in the window that were unplanned fixes: a rollback, or marked as a hotfix or a fix for an incident.`,
    formula: "unplanned-fix deployments ÷ all successful production deployments in the window × 100",
    tiers: "none (METRICS.md gives none; DORA 2024 reports rework rate without tiers)",
    basis: [
      { source: SPEC, text: "what counts as rework, no tier" },
      { source: DORA, text: "deployment rework rate, DORA 2024: unplanned deployments made to fix a user-facing problem" },
    ],
    settings: [envSetting(config)],
  }),
  methods: {
    attribution: `${RATIO}; ${REST}`,
    test: `Fisher's exact test (two-proportion z test beyond 2,000 deployments); ${THIN}; ${TREND}`,
    interval: "Wilson score interval",
  },
  coverage: async (reads, { config }) => {
    const d = await reads.deployments();
    return [
      ...(await deploymentLines(reads, config)),
      `${count(d.rollbacks)} production deployments are rollbacks and ${count(d.hotfixes)} are marked as hotfixes.`,
      ...(await unresolvedRollbacks(reads)),
    ];
  },
  read: async (reads, { frame, services, productionEnvironment: env }) => {
    const flagged = await reads.flaggedDeployments("rework", env, frame.current, services);
    const listed = listedDeployments("rework_rate", flagged);
    return [
      "rework_rate",
      await reads.deploymentSlices(env, frame.cuts, services, false),
      flagged,
      frame,
      listed.length > 0 ? await reads.deploymentDetails(listed.map((d) => d.id)) : [],
      await reads.deployDayCounts(env, frame.current, offsetSegments(frame.current, frame.zone), services),
    ];
  },
  breach: deploymentCausedIncidents,
  compute: (data) => deploymentRatio(...data),
};
