import type { AppDeps } from "../app-deps.js";
import type { IncidentRecord } from "../domain/records.js";
import { getIncident } from "../sources/pagerduty/fetch.js";
import { serviceMapping } from "../sources/pagerduty/normalise.js";
import { SOURCE, clientFromDeps, fetchIncidentRecord, type ClientOverrides } from "../sources/pagerduty/sync.js";
import { HANDLED_EVENTS, incidentIdOf, recordFromEvent, verifySignature, webhookEnvelopeSchema, webhookSecrets, type WebhookEvent } from "../sources/pagerduty/webhook-event.js";
import type { HttpRoute, RouteResponse } from "./server.js";

/** PagerDuty expects an answer within 5 s; the REST look-up gets what is left after a margin. */
const API_BUDGET_MS = 3_000;

/** Tests: the REST client's TLS agent and waits, and a shorter look-up budget. */
export type WebhookRouteOptions = ClientOverrides & { readonly apiBudgetMs?: number };

/**
 * `POST /webhooks/pagerduty`: PagerDuty Webhooks v3 incident events, verified with
 * X-PagerDuty-Signature (PAGERDUTY_WEBHOOK_SECRET; several secrets, comma-separated, during
 * rotation) and deduplicated by event id. When PAGERDUTY_TOKEN is set the incident is re-read from
 * the REST API so that the webhook writes exactly the record the poller writes.
 */
export function pagerdutyWebhookRoute(deps: AppDeps, options: WebhookRouteOptions = {}): HttpRoute {
  const { apiBudgetMs = API_BUDGET_MS, ...overrides } = options;
  const secrets = webhookSecrets(deps.env.PAGERDUTY_WEBHOOK_SECRET);
  const services = serviceMapping(deps.config);
  const log = deps.logger.child({ route: "pagerduty-webhook" });

  async function fromApi(event: WebhookEvent): Promise<IncidentRecord | undefined> {
    if (!deps.env.PAGERDUTY_TOKEN) return undefined;
    const client = clientFromDeps(deps, { libraryRetryWaitMs: 0, maxRateLimitWaits: 0, requestTimeoutMs: apiBudgetMs, ...overrides });
    const id = incidentIdOf(event);
    if (!id) return undefined;
    const work = (async () => {
      const incident = await getIncident(client, id);
      return incident ? fetchIncidentRecord(client, incident, services, await deps.store.incidents.get(SOURCE, id)) : undefined;
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        log.warn({ incident: id, budgetMs: apiBudgetMs }, "PagerDuty API too slow for a webhook answer; recording from the payload");
        resolve(undefined);
      }, apiBudgetMs);
      timer.unref();
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      log.warn({ err: (error as Error).message, incident: id }, "PagerDuty API look-up failed; recording from the webhook payload");
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    method: "POST",
    path: "/webhooks/pagerduty",
    async handle(request): Promise<RouteResponse> {
      if (secrets.length === 0) return { status: 503, body: { error: "PAGERDUTY_WEBHOOK_SECRET is not set: webhooks cannot be verified" } };
      const header = request.headers["x-pagerduty-signature"];
      if (!verifySignature(request.rawBody, Array.isArray(header) ? header.join(",") : header, secrets)) {
        log.warn({ requestId: request.requestId }, "PagerDuty webhook with a missing or wrong signature refused");
        return { status: 401, body: { error: "invalid X-PagerDuty-Signature" } };
      }
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString("utf8"));
      } catch {
        return { status: 400, body: { error: "body is not JSON" } };
      }
      const envelope = webhookEnvelopeSchema.safeParse(json);
      if (!envelope.success) {
        const issue = envelope.error.issues[0];
        return { status: 400, body: { error: `${issue?.path.join(".") || "body"}: ${issue?.message}` } };
      }
      const event = envelope.data.event;
      if (event.resource_type !== "incident" || !(HANDLED_EVENTS as readonly string[]).includes(event.event_type)) {
        return { status: 200, body: { ok: true, ignored: event.event_type } };
      }
      const incidentId = incidentIdOf(event);
      if (!incidentId) return { status: 400, body: { error: "event.data: expected an incident (or a note with its incident)" } };
      const stored = await deps.store.incidents.get(SOURCE, incidentId);
      const record = (await fromApi(event)) ?? recordFromEvent(event, stored, services);
      if ("error" in record) return { status: 400, body: { error: record.error } };
      if ("skip" in record) return { status: 200, body: { ok: true, ignored: record.skip } };

      // The delivery is recorded in the same unit of work as the record: a duplicate writes nothing.
      const result = await deps.store.write([{ kind: "incident", ...record }], { delivery: { source: SOURCE, id: event.id, atMs: deps.now() } });
      if (result.duplicate) return { status: 200, body: { ok: true, duplicate: true } };
      log.info({ event: event.event_type, incident: record.externalId, changed: result.changedIncidentIds.length }, "PagerDuty webhook recorded");
      return { status: 200, body: { ok: true } };
    },
  };
}
