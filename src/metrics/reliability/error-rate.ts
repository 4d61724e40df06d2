import { errorRate } from "./compute.js";
import type { MetricSpec } from "../spec.js";
import { count, RATIO, REST, sampleOf, SPEC, THIN, TREND } from "../words.js";

// Error rate (docs/metrics.md "Reliability"): Σ errors ÷ Σ requests.

export const errorRateSpec: MetricSpec<Parameters<typeof errorRate>> = {
  id: "error_rate",
  label: "Error rate",
  unit: "percent",
  direction: "higher_is_worse",
  aliases: ["errors", "error rate"],
  sampleNoun: "samples",
  howToConnect: "error rates come from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  definitionLine: (_result, windowLabel) => `errors ÷ requests over ${windowLabel}`,
  explain: () => ({
    definition: "From error and request counts where both exist; from pre-computed rates, weighted by the request count of the same time when known.",
    formula: "Σ errors ÷ Σ requests × 100",
    tiers: "none",
    basis: [{ source: SPEC, text: "counts first, rate weighting" }],
    settings: [],
  }),
  methods: {
    attribution: `${RATIO}; ${REST}`,
    test: `two-proportion z test with the variance inflated by the overdispersion between services and samples (quasi-binomial); ${THIN}; ${TREND}`,
    interval: "none (requests are not independent trials)",
  },
  coverage: async (reads) => {
    const all = await reads.samples();
    const errors = sampleOf(all, "errors");
    const rates = sampleOf(all, "error_rate_pct");
    const requests = sampleOf(all, "requests");
    const lines = [`${count(errors?.n ?? 0)} error counts, ${count(requests?.n ?? 0)} request counts and ${count(rates?.n ?? 0)} pre-computed error rates stored.`];
    const orphanErrors = await reads.errorsWithoutRequests();
    if (orphanErrors > 0) lines.push(`${count(orphanErrors)} error counts have no request count at the same time and are left out (a rate needs both).`);
    if (rates) {
      const plain = await reads.withoutRequests("error_rate_pct");
      if (plain > 0) lines.push(`${count(plain)} pre-computed rates have no request count and enter a plain mean.`);
    }
    return lines;
  },
  read: async (reads, { frame, services }) => [await reads.errorSlices(frame.cuts, services), frame],
  breach: ({ overlap }) => ({ noun: "incident", hoursMeasure: true, weight: (r) => overlap(r) }),
  compute: (data) => errorRate(...data),
};
