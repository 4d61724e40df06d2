import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { composeReplicaExample, kubernetesDocuments, type KubernetesDeployment } from "../support/deploy-example.js";

// The README's replica examples parse, and say what the app does: GET /healthz on PORT, the same
// command and settings in both, three replicas, a grace period longer than the drain.

describe("deploy examples", () => {
  const compose = composeReplicaExample();
  const docs = kubernetesDocuments();
  const deployment = docs.find((d) => d.kind === "Deployment") as KubernetesDeployment | undefined;

  it("compose runs three `vitals start` replicas on PostgreSQL", () => {
    expect(compose.command).toEqual(["node", "bin/vitals.js", "start"]);
    expect(compose.replicas).toBe(3);
    expect(compose.environment.DATABASE_URL).toMatch(/^postgres:\/\//);
    // Literal values are valid settings (the ${…} ones filled with plausible values).
    expect(() => parseEnv({ ...compose.environment, DATABASE_URL: "postgres://vitals:x@db:5432/vitals", SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" })).not.toThrow();
  });

  it("the Kubernetes Deployment probes GET /healthz on the port vitals listens on", () => {
    expect(deployment).toBeDefined();
    const spec = deployment!.spec;
    expect(spec.replicas).toBe(3);
    // The drain waits up to 10 s for answers in flight; the leader's job run finishes within it.
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
    const [container] = spec.template.spec.containers;
    expect(container?.args).toEqual(compose.command);
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]));
    const port = Number(env.PORT?.value);
    expect(parseEnv({ PORT: env.PORT?.value }).PORT).toBe(port);
    const named = (p: string | number) => (typeof p === "number" ? p : container?.ports?.find((x) => x.name === p)?.containerPort);
    for (const probe of [container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe("/healthz");
      expect(named(probe!.httpGet!.port)).toBe(port);
    }
    // The same settings as the compose example; the secrets come from a Secret, never inline.
    expect(Object.keys(env).sort()).toEqual(Object.keys(compose.environment).sort());
    for (const secret of ["DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]) expect(env[secret]?.valueFrom?.secretKeyRef?.key).toBe(secret);
  });

  it("a Service routes to the pods' http port", () => {
    const service = docs.find((d) => d.kind === "Service") as { spec: { ports: { targetPort: string }[] } } | undefined;
    expect(service?.spec.ports[0]?.targetPort).toBe("http");
  });
});
