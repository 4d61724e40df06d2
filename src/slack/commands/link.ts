import { DateTime } from "luxon";
import { noticeBlocks } from "../../present/blocks/errors.js";
import { escapeMrkdwn } from "../../present/blocks/format-slack.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";
import { toReply } from "../reply.js";

const USAGE = "link <incident> <deployment|unrelated|none>";

function problem(message: string): KpiReply {
  return toReply(noticeBlocks(`:warning: ${escapeMrkdwn(message)}`, `Usage: \`/kpi ${USAGE}\`: the incident's id in its source (or #row), the deployment's id or commit sha; \`unrelated\`: no deployment caused it; \`none\`: back to the automatic rules.`));
}

/**
 * `/kpi link`: a person's correction of the incident → deployment link behind the change failure
 * rate. A manual link is never overwritten by the automatic rules (src/store/links.ts), nor by a
 * later sync or re-import; `unrelated` says no deployment caused it (it leaves change failure rate
 * and still counts for MTTR); `none` hands the incident back to the rules.
 */
export const linkSubcommand: KpiSubcommand = {
  name: "link",
  usage: USAGE,
  summary: "correct which deployment caused an incident (change failure rate)",
  adminOnly: true,
  async run(ctx) {
    if (ctx.args.length !== 2) return problem(`expected two arguments, got ${ctx.args.length}.`);
    const [incidentRef, deploymentRef] = ctx.args as [string, string];
    const store = ctx.deps.store;
    const incidents = await store.slack.findIncidents(incidentRef);
    if (incidents.length === 0) return problem(`no incident "${incidentRef}".`);
    if (incidents.length > 1) return problem(`"${incidentRef}" names ${incidents.length} incidents (from different sources); use #<row id>.`);
    const incident = incidents[0]!;
    const by = ctx.userId;
    const atMs = ctx.deps.now();
    if (deploymentRef.toLowerCase() === "unrelated") {
      await store.links.setVerdict(incident.id, { kind: "unrelated", by, atMs, via: "command" });
      ctx.deps.logger.info({ incident: incident.id, userId: ctx.userId }, "incident marked not caused by a deployment from Slack");
      return toReply(
        noticeBlocks(
          `:link: Incident *${escapeMrkdwn(incident.title)}* is marked *not caused by a deployment*: it marks no deployment failed and still counts for MTTR.`,
          "Syncs and re-imports keep this; `/kpi link <incident> none` hands it back to the automatic rules.",
        ),
      );
    }
    if (deploymentRef.toLowerCase() === "none") {
      await store.links.setVerdict(incident.id, { kind: "rules" });
      ctx.deps.logger.info({ incident: incident.id, userId: ctx.userId }, "incident link reset from Slack");
      return toReply(noticeBlocks(`:link: Incident *${escapeMrkdwn(incident.title)}* is linked by the automatic rules again.`));
    }
    const deployments = await store.slack.findDeployments(deploymentRef);
    if (deployments.length === 0) return problem(`no successful deployment "${deploymentRef}".`);
    if (deployments.length > 1) return problem(`"${deploymentRef}" names more than one deployment; give a longer sha or the deployment id.`);
    const deployment = deployments[0]!;
    if (deployment.finished_at > incident.created_at) {
      return problem(`deployment ${deploymentRef} finished after incident ${incidentRef} started, so it cannot have caused it.`);
    }
    await store.links.setVerdict(incident.id, { kind: "deployment", deploymentId: deployment.id, by, atMs, via: "command" });
    const counted = (await store.slack.findIncidents(`#${incident.id}`))[0]?.linked_deployment_id === deployment.id;
    ctx.deps.logger.info({ incident: incident.id, deployment: deployment.id, userId: ctx.userId }, "incident linked from Slack");
    const when = DateTime.fromMillis(deployment.finished_at, { zone: "utc" }).toFormat("LLL d HH:mm 'UTC'");
    return toReply(
      noticeBlocks(
        `:link: Incident *${escapeMrkdwn(incident.title)}* is now linked to deployment \`${escapeMrkdwn(deployment.external_id)}\` of ${escapeMrkdwn(deployment.service_id)} (${when}).`,
        counted
          ? "Change failure rate answers use this link from now on; `/kpi link <incident> none` undoes it."
          : "This incident is outside the `incidents.change_failure` filter, so the link marks no deployment failed; `/kpi link <incident> none` undoes it.",
      ),
    );
  },
};
