import { readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";

// The README's replica examples (deploy/docker-compose.yml, deploy/kubernetes.yml), read as the
// tests run them: test/e2e/replicas-failover.test.ts starts the compose `vitals` service's command
// with its environment, so the example and the test cannot drift apart.

export interface ReplicaExample {
  /** The service's command, e.g. ["node", "bin/vitals.js", "start"]. */
  readonly command: readonly string[];
  /** Its environment as written: literal values, and `${…}` ones the deployment fills in. */
  readonly environment: Readonly<Record<string, string>>;
  readonly replicas: number;
}

export function composeReplicaExample(path = "deploy/docker-compose.yml"): ReplicaExample {
  const doc = parse(readFileSync(path, "utf8")) as { services?: Record<string, { command?: unknown; environment?: unknown; deploy?: { replicas?: unknown } }> };
  const service = doc.services?.vitals;
  if (!service) throw new Error(`${path}: no "vitals" service`);
  const { command, environment } = service;
  if (!Array.isArray(command) || !command.every((c) => typeof c === "string")) throw new Error(`${path}: the vitals service's command must be a list of strings`);
  if (!environment || typeof environment !== "object" || Array.isArray(environment)) throw new Error(`${path}: the vitals service's environment must be a mapping`);
  const env = Object.fromEntries(Object.entries(environment as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  return { command, environment: env, replicas: Number(service.deploy?.replicas ?? 1) };
}

/**
 * The example's environment for one test replica: every value the deployment fills in (`${…}`)
 * and every name in `substitutes` replaced by the test's; the other literal values kept as written.
 * A `${…}` value the test has no substitute for is an error, so a new secret in the example
 * reaches the test.
 */
export function exampleEnvironment(example: ReplicaExample, substitutes: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(example.environment)) {
    if (name in substitutes) env[name] = substitutes[name]!;
    else if (value.includes("${")) throw new Error(`deploy/docker-compose.yml: ${name} is filled in by the deployment (${value}); the test has no value for it`);
    else env[name] = value;
  }
  return env;
}

interface KubernetesContainer {
  readonly args?: string[];
  readonly ports?: { name?: string; containerPort: number }[];
  readonly env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readonly readinessProbe?: { httpGet?: { path: string; port: string | number } };
  readonly livenessProbe?: { httpGet?: { path: string; port: string | number } };
}

export interface KubernetesDeployment {
  readonly kind: string;
  readonly spec: { replicas: number; template: { spec: { terminationGracePeriodSeconds: number; containers: KubernetesContainer[] } } };
}

export function kubernetesDocuments(path = "deploy/kubernetes.yml"): { kind: string }[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0]!.message}`);
    return d.toJS() as { kind: string };
  });
}
