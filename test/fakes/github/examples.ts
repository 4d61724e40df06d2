import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// GitHub's own published response examples (@octokit/openapi, components/examples) and webhook
// payloads (@octokit/webhooks-examples). The fake clones these and overrides only the fields a
// scenario sets, so every other field has the shape GitHub really sends.

const require = createRequire(import.meta.url);
let examples: Record<string, { value: unknown }> | undefined;

export function example<T = Record<string, unknown>>(name: string): T {
  if (!examples) {
    const path = require.resolve("@octokit/openapi/generated/api.github.com.json");
    examples = (JSON.parse(readFileSync(path, "utf8")) as { components: { examples: Record<string, { value: unknown }> } }).components.examples;
  }
  const found = examples[name];
  if (!found) throw new Error(`no GitHub example named ${name}`);
  return structuredClone(found.value) as T;
}

/** The first item of a list example (e.g. "deployment-items"). */
export function exampleItem<T = Record<string, unknown>>(name: string): T {
  return (example<unknown[]>(name)[0] ?? {}) as T;
}

interface WebhookExample {
  name: string;
  examples: Record<string, unknown>[];
}
let webhooks: WebhookExample[] | undefined;

/** A published webhook payload for `event` (and `action`, when given). */
export function webhookExample(event: string, action?: string): Record<string, unknown> {
  webhooks ??= require("@octokit/webhooks-examples") as WebhookExample[];
  const found = webhooks.find((w) => w.name === event)?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no webhook example for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(found);
}
