import { costPerUser } from "./compute.js";
import type { MetricSpec } from "../spec.js";
import { count, day, REST, sampleOf, SPEC, TREND } from "../words.js";

// Infrastructure cost per user (docs/metrics.md "Cost"): monthly cost ÷ mean active users.

export const costPerUserSpec: MetricSpec<Parameters<typeof costPerUser>> = {
  id: "cost_per_user",
  label: "Infrastructure cost per user",
  unit: "usd_per_user_month",
  direction: "higher_is_worse",
  aliases: ["cost", "cost per user", "infra cost", "infrastructure cost"],
  sampleNoun: "cost samples",
  howToConnect: "cost comes from a FOCUS cost file and `active_users` samples: `vitals import` (see the README)",
  definitionLine: (_result, windowLabel) => `monthly infrastructure cost ÷ mean active users over ${windowLabel}`,
  explain: ({ config }) => ({
    definition: `Infrastructure cost normalised to 30 days, divided by the mean of the active-user samples in the window. Cost not tagged to a service ${config.cost.share_untagged ? "is shared out across services in proportion to their tagged cost" : "counts at org scope only"}.`,
    formula: "(Σ cost in the window × 30 ÷ days in the window) ÷ mean(active_users in the window)",
    tiers: "none",
    basis: [{ source: SPEC, text: "normalisation and untagged cost" }],
    settings: [
      { name: "cost.service_tag", value: config.cost.service_tag },
      { name: "cost.share_untagged", value: String(config.cost.share_untagged) },
    ],
  }),
  methods: {
    attribution: `each segment's monthly cost change at the midpoint of the two windows' 1 ÷ users, plus the user count's own effect at the midpoint cost (C1/U1 − C0/U0 exactly); ${REST}`,
    test: `none (a total, not a sample): significant is null; ${TREND}`,
    interval: "none",
  },
  coverage: async (reads, { config }) => {
    const all = await reads.samples();
    const cost = sampleOf(all, "infra_cost_usd");
    const users = sampleOf(all, "active_users");
    return [
      cost ? `${count(cost.n)} cost rows for ${cost.services} services; ${count(cost.org_wide)} are not tagged to a service (${config.cost.share_untagged ? "shared out across services" : "org scope only"}).` : "No cost rows stored.",
      users ? `${count(users.n)} active-user samples (${day(users.first_at)} to ${day(users.last_at)}).` : "No active-user samples: cost per user is N/A.",
    ];
  },
  read: async (reads, { frame, services, config }) => [
    await reads.sumSlices("infra_cost_usd", frame.cuts, services, true),
    await reads.taggedTotals("infra_cost_usd", frame.cuts),
    await reads.sumSlices("active_users", frame.cuts, services, true),
    services,
    config.cost.share_untagged,
    frame,
  ],
  compute: (data) => costPerUser(...data),
};
