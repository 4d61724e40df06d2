import { deploymentRatio, listedDeployments } from "./compute.js";
import { offsetSegments } from "../frame.js";
import type { MetricSpec } from "../spec.js";
import { changeFailureFilter, count, deploymentLines, envSetting, FORGE, incidentCoverage, RATIO, REST, SPEC, THIN, TREND, unmappedLine, unresolvedRollbacks, deploymentCausedIncidents } from "../words.js";

// Change failure rate (docs/metrics.md "Delivery"): successful production deployments that caused a
// failure ÷ all successful production deployments.

export const changeFailureRateSpec: MetricSpec<Parameters<typeof deploymentRatio>> = {
  id: "change_failure_rate",
  label: "Change failure rate",
  unit: "percent",
  direction: "higher_is_worse",
  aliases: ["cfr", "failure rate", "change failure rate"],
  sampleNoun: "deployments",
  howToConnect: `needs deployments (${FORGE}) and incidents (PagerDuty): set \`GITHUB_TOKEN\` or \`GITLAB_TOKEN\`, and \`PAGERDUTY_TOKEN\`, and map services in vitals.yml`,
  definitionLine: ({ sample_size: n, stats: s }, windowLabel) =>
    `${s["failed"] ?? 0} of ${n} production deployments in ${windowLabel} caused a failure${s["confirmed"] !== undefined ? `, ${s["confirmed"]} confirmed by people` : ""}`,
  explain: (input) => {
    const env = input.config.production_environment;
    const hours = input.config.metrics.attribution_window_hours;
    return {
      definition: `Successful "${env}" deployments finished in the window that caused at least one failure. A deployment caused a failure when, in this order: an incident names it (deployment id or commit sha); a later deployment rolls it back; or an incident on the same service was created after it finished, before the service's next deployment and within ${hours} h. Several incidents on one deployment count once; an incident with no earlier deployment of its service is not a change failure. Only incidents the change-failure filter counts can mark a deployment failed; an incident marked not caused by a deployment (its source's change_caused: false, or a person's "unrelated") marks none, though a rollback still marks the deployment it undoes. A person's link (\`/kpi link\`, or an answer to the confirmation message) wins over every rule.`,
      formula: "distinct failed deployments ÷ all successful production deployments in the window × 100",
      tiers: "elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %, low otherwise",
      basis: [{ source: SPEC, text: "attribution rules, counting once, tiers" }],
      settings: [envSetting(input.config), { name: "metrics.attribution_window_hours", value: `${hours} h` }, changeFailureFilter(input)],
    };
  },
  methods: {
    attribution: `${RATIO}; ${REST}`,
    test: `Fisher's exact test (two-proportion z test beyond 2,000 deployments); ${THIN}; ${TREND}. A weekday question needs its share of failures over-represented against its share of deployments (one-sided binomial, p < 0.05, at least 3 failures)`,
    interval: "Wilson score interval",
  },
  coverage: async (reads, input) => {
    const lines = await deploymentLines(reads, input.config);
    const i = await incidentCoverage(reads, input.config);
    lines.push(`Incidents linked to a deployment: ${count(i.linked_explicit)} named it explicitly, ${count(i.linked_manual)} confirmed by people, ${count(i.linked_rollback)} through a rollback, ${count(i.linked_heuristic)} by the ${input.config.metrics.attribution_window_hours} h attribution window.`);
    lines.push(`Incidents that can mark a deployment failed (incidents.change_failure): ${input.filters.changeFailure}; ${count(i.change_failure_filtered)} stored incidents left out.`);
    lines.push(`${count(i.unrelated_by_source + i.unrelated_by_people)} incidents are marked not caused by a deployment (${count(i.unrelated_by_source)} by their source's change_caused: false, ${count(i.unrelated_by_people)} by people in Slack): they mark nothing failed and still count for MTTR.`);
    lines.push(`${count(i.mapped_unlinked)} incidents on known services follow no deployment within the rules (not change failures).`);
    unmappedLine(lines, i.unmapped, await reads.unmappedServices(), "cannot be attributed to any deployment");
    return [...lines, ...(await unresolvedRollbacks(reads))];
  },
  read: async (reads, { frame, services, productionEnvironment: env }) => {
    const flagged = await reads.flaggedDeployments("failed", env, frame.current, services);
    const listed = listedDeployments("change_failure_rate", flagged);
    return [
      "change_failure_rate",
      await reads.deploymentSlices(env, frame.cuts, services, true),
      flagged,
      frame,
      listed.length > 0 ? await reads.deploymentDetails(listed.map((d) => d.id)) : [],
      await reads.deployDayCounts(env, frame.current, offsetSegments(frame.current, frame.zone), services),
    ];
  },
  incidentFilter: { kind: "change_failure" },
  breach: deploymentCausedIncidents,
  compute: (data) => deploymentRatio(...data),
};
