import type { webApi } from "@slack/bolt";
import type { AppDeps } from "../app-deps.js";

// Admin-only `/kpi` commands: Slack user ids in VITALS_ADMINS, or workspace admins and owners
// (users.info: is_admin / is_owner). https://docs.slack.dev/reference/methods/users.info

export async function isVitalsAdmin(deps: AppDeps, client: webApi.WebClient, userId: string): Promise<boolean> {
  if (deps.env.VITALS_ADMINS.includes(userId)) return true;
  try {
    const info = await client.users.info({ user: userId });
    return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
  } catch (error) {
    // Unknown rights mean no rights; the refusal tells the user whom to ask.
    deps.logger.warn({ err: error, userId }, "users.info failed while checking admin rights");
    return false;
  }
}
