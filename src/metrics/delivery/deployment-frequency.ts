import { deploymentFrequency } from "./compute.js";
import { offsetSegments } from "../frame.js";
import type { MetricSpec } from "../spec.js";
import { deploymentLines, envSetting, FORGE, FORGE_SETUP, REST, SPEC, THIN, TREND } from "../words.js";

// Deployment frequency (docs/metrics.md "Delivery"): successful production deployments per day.

export const deploymentFrequencySpec: MetricSpec<Parameters<typeof deploymentFrequency>> = {
  id: "deployment_frequency",
  label: "Deployment frequency",
  unit: "per_day",
  direction: "lower_is_worse",
  aliases: ["deploys", "deployments", "df", "deployment frequency", "deploy frequency"],
  sampleNoun: "deployments",
  howToConnect: `deployments come from ${FORGE}: ${FORGE_SETUP} in vitals.yml, then \`vitals sync\` (or \`/kpi sync\`)`,
  definitionLine: (result, windowLabel) => `${result.sample_size} successful production deployments in ${windowLabel}, per day`,
  explain: ({ config }) => ({
    definition: `Successful deployments to "${config.production_environment}" finished in the window, counted once each and timed at their finish. Failed deployments are not deployments here.`,
    formula: "count of successful production deployments in [from, to) ÷ calendar days in the window (a window without deployments is 0 per day)",
    tiers: "median distinct deploy days per ISO week (weeks without deploys count as 0): elite ≥ 5, high ≥ 1; else medium if the median deploy days per month ≥ 1; else low. No tier for windows shorter than 7 days.",
    basis: [{ source: SPEC, text: "definition, per-day rate and tiers" }],
    settings: [envSetting(config)],
  }),
  methods: {
    attribution: `counts per day add directly: each segment's part is its own change in deployments ÷ days; ${REST}`,
    test: `Poisson rate test (conditional binomial on the two windows' counts and lengths); ${THIN}; ${TREND}`,
    interval: "exact (Garwood) Poisson interval of the count ÷ days",
  },
  coverage: (reads, { config }) => deploymentLines(reads, config),
  read: async (reads, { frame, services, productionEnvironment: env }) => [
    await reads.deploymentSlices(env, frame.cuts, services, false),
    await reads.deployDays(env, frame.current, offsetSegments(frame.current, frame.zone), services),
    frame,
  ],
  compute: (data) => deploymentFrequency(...data),
};
