import { latencyP95 } from "./compute.js";
import type { MetricSpec } from "../spec.js";
import { count, day, MEAN, REST, sampleOf, SPEC, THIN, TREND } from "../words.js";

// API latency P95 (docs/metrics.md "Reliability"): the request-weighted mean of P95 samples.

export const latencyP95Spec: MetricSpec<Parameters<typeof latencyP95>> = {
  id: "latency_p95",
  label: "API latency P95",
  unit: "ms",
  direction: "higher_is_worse",
  aliases: ["latency", "p95", "api latency", "latency p95"],
  sampleNoun: "P95 samples",
  howToConnect: "latency comes from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  definitionLine: ({ sample_size: n, stats }, windowLabel) => `mean of ${n} P95 samples over ${windowLabel}${stats["unweighted_samples"] === 0 ? ", weighted by requests" : " (plain mean)"}`,
  explain: () => ({
    definition: "Exact when the source computes it over the window (a Prometheus histogram); from pre-aggregated samples, the mean of the samples' P95 weighted by the request count of the same service and time when known, a plain mean otherwise (labelled as such).",
    formula: "Σ (p95 × requests) ÷ Σ requests over the samples with request counts; plain mean for the rest",
    tiers: "none",
    basis: [{ source: SPEC, text: "weighting and labelling" }],
    settings: [],
  }),
  methods: {
    attribution: `${MEAN} (request-weighted mean of P95 samples); ${REST}`,
    test: `Welch's t test on the P95 samples, stratified by service; ${THIN}; ${TREND}`,
    interval: "none",
  },
  coverage: async (reads) => {
    const s = sampleOf(await reads.samples(), "latency_p95_ms");
    if (!s) return ["No latency samples stored."];
    const plain = await reads.withoutRequests("latency_p95_ms");
    return [
      `${count(s.n)} P95 samples for ${s.services} services (${day(s.first_at)} to ${day(s.last_at)}).`,
      plain === 0 ? "Every sample has a request count at the same time: all are request-weighted." : `${count(plain)} samples have no request count at the same time and enter a plain (unweighted) mean, labelled as such.`,
    ];
  },
  read: async (reads, { frame, services }) => [await reads.latencySlices(frame.cuts, services), frame],
  breach: ({ overlap }) => ({ noun: "incident", hoursMeasure: true, weight: (r) => overlap(r) }),
  compute: (data) => latencyP95(...data),
};
