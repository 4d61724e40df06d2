import { derivedServices, uptime } from "./compute.js";
import type { MetricSpec } from "../spec.js";
import { count, day, incidentCoverage, MEAN, outageSettings, REST, sampleOf, SPEC, TREND, unmappedLine } from "../words.js";

// System uptime (docs/metrics.md "Reliability"): time-weighted availability samples, or derived from
// outage incidents for services with an incident source; a team or the org is the mean over services.

export const uptimeSpec: MetricSpec<Parameters<typeof uptime>> = {
  id: "uptime",
  label: "System uptime",
  unit: "percent",
  direction: "lower_is_worse",
  aliases: ["uptime", "availability", "sla"],
  sampleNoun: "availability samples or incident-derived services",
  howToConnect: "uptime comes from Prometheus (`PROMETHEUS_URL`) or is derived from PagerDuty incidents; `vitals import` works too",
  definitionLine: ({ stats }, windowLabel) => `mean uptime of ${stats["services"] ?? 0} services over ${windowLabel}`,
  explain: ({ config }) => ({
    definition: "From availability samples when a source gives them, each weighted by the time it covers (until the service's next sample or the window's end); otherwise derived from outage incidents from created to resolved (open: to now), overlaps merged. A team or the org is the mean over its services.",
    formula: "samples: Σ value × covered time ÷ Σ covered time; derived: 100 × (1 − union of outage intervals in the window ÷ window length)",
    tiers: "none",
    basis: [{ source: SPEC, text: "time weighting, outage derivation, overlap merging, scope mean" }],
    settings: outageSettings(config),
  }),
  methods: {
    attribution: `${MEAN} (mean over services); a breach lists the services below 100 %; ${REST}`,
    test: `none (an availability level, not a sample of a distribution): significant is null; ${TREND}`,
    interval: "none",
  },
  coverage: async (reads, { config }) => {
    const s = sampleOf(await reads.samples(), "uptime_pct");
    const total = await reads.serviceCount();
    const lines = [s ? `${count(s.n)} availability samples for ${s.services} of ${total} services (${day(s.first_at)} to ${day(s.last_at)}); the other services' uptime is derived from outage incidents.` : `No availability samples: uptime is derived from outage incidents for all ${total} services.`];
    const i = await incidentCoverage(reads, config);
    lines.push(`${count(i.outages)} stored incidents on known services count as outages (severities ${config.metrics.outage_severities.join(", ") || "none"}; PagerDuty high urgency with priority ${config.pagerduty.outage_priorities.join(", ") || "none"}).`);
    unmappedLine(lines, i.unmapped, await reads.unmappedServices(), "cannot take any service's uptime down");
    return lines;
  },
  read: async (reads, { frame, services, config, nowMs }) => {
    const scopeServices = services ?? (await reads.knownServices());
    // An incident source for a service: PagerDuty configured for it, or any incident ever recorded.
    const configured = config.services.filter((s) => s.pagerduty).map((s) => s.id);
    const sourced = new Set([...configured, ...(await reads.servicesWithIncidents(scopeServices))]);
    const samples = await reads.timedSamples("uptime_pct", frame.range, services);
    // Outages only for the services whose samples leave a window of the frame uncovered.
    const derived = derivedServices(scopeServices, samples, frame, nowMs);
    return [
      scopeServices,
      samples,
      await reads.outages(frame.range, config.metrics.outage_severities, config.pagerduty.outage_priorities, derived),
      frame,
      nowMs,
      sourced,
    ];
  },
  breach: ({ overlap }) => ({ noun: "outage", hoursMeasure: true, weight: (r) => (r.outage === 1 ? overlap(r) : null) }),
  compute: (data) => uptime(...data),
};
