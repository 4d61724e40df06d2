import { leadTime, stageGrew } from "./compute.js";
import type { MetricSpec } from "../spec.js";
import { count, deploymentLines, envSetting, FORGE, FORGE_SETUP, REST, SHAPLEY_MAX_GROUPS, SPEC, THIN, TREND } from "../words.js";

// Lead time for changes (docs/metrics.md "Delivery"): commit → first production deployment, median.

export const leadTimeSpec: MetricSpec<Parameters<typeof leadTime>> = {
  id: "lead_time",
  label: "Lead time for changes",
  unit: "hours",
  direction: "higher_is_worse",
  aliases: ["lead time", "ltfc", "lead time for changes", "lt"],
  sampleNoun: "changes",
  howToConnect: `lead time needs deployments with their commits from ${FORGE}: ${FORGE_SETUP}, then \`vitals sync\` (or \`/kpi sync\`)`,
  definitionLine: (result, windowLabel) => `median of ${result.sample_size} changes first deployed to production in ${windowLabel} (commit → deploy)`,
  explain: ({ config }) => ({
    definition: `One sample per change (a pull request, or a commit without one) shipped for the first time by a successful "${config.production_environment}" deployment finished in the window. A pull request is timed from its earliest commit, which survives squash merges. Redeploying a shipped change adds no sample.`,
    formula: "sample = deployment finish − commit time; samples ≤ 0 are excluded and counted; headline = median (also mean and p90, linear interpolation); stages coding (commit → PR opened), pickup (opened → first review by someone else), review (→ merged), deploy (merged → deployed)",
    tiers: "on the median: elite < 1 day, high < 7 days, medium < 30 days, low otherwise",
    basis: [{ source: SPEC, text: "sample, exclusions, stages, headline and tiers" }],
    settings: [envSetting(config), { name: "metrics.min_sample_size", value: String(config.metrics.min_sample_size) }],
  }),
  methods: {
    attribution: `counterfactual medians: Shapley values over the services (and over PR-size buckets), exact up to ${SHAPLEY_MAX_GROUPS} groups; beyond, one group at a time with the interaction in the remainder. Stages: the change in each stage's mean, the remainder the difference to the change in the median; ${REST}`,
    test: `Mann–Whitney U on the two windows' lead times; ${THIN}; ${TREND}`,
    interval: "distribution-free interval of the median from order statistics",
  },
  coverage: async (reads, { config }) => {
    const lines = await deploymentLines(reads, config);
    const d = await reads.deployments();
    const c = await reads.changes();
    lines.push(`${count(d.without_commits)} production deployments have no commits attached, so they add no lead-time sample.`);
    lines.push(`${count(c.shipped)} changes shipped; ${count(c.non_positive)} have a commit time at or after their deployment (sample ≤ 0) and are excluded.`);
    lines.push(`${count(c.without_pr)} shipped changes have no pull request (no stage breakdown); ${count(c.partial_pr)} pull requests lack an opened, review or merge time (stages partly unknown).`);
    if (c.not_shipped > 0) lines.push(`${count(c.not_shipped)} changes are not in a successful production deployment yet.`);
    return lines;
  },
  read: async (reads, { frame, services }) => {
    const stageSums = { previous: await reads.leadTimeStageSums(frame.previous, services, false), current: await reads.leadTimeStageSums(frame.current, services, false) };
    return [
      {
        samples: await reads.leadTimes(frame.cuts, services),
        stages: await reads.leadTimeStages(frame.current, services),
        stageSums,
        stageSumsByService: stageGrew(stageSums) ? { previous: await reads.leadTimeStageSums(frame.previous, services), current: await reads.leadTimeStageSums(frame.current, services) } : null,
      },
      frame,
    ];
  },
  compute: (data) => leadTime(...data),
};
