import type { KpiAnswer } from "../../domain/answer.js";
import { escapeMrkdwn, formatWindowRange } from "./format-slack.js";
import { bulletSection, context, divider, header, section, type SlackBlock } from "./kit.js";
import { kpiLine } from "./summary.js";

// The App Home tab: a live dashboard of one team (or the org) with every KPI, open post-incident
// reviews and a team picker. https://docs.slack.dev/surfaces/app-home

export const HOME_TEAM_ACTION = "home:team";
export const HOME_REFRESH_ACTION = "home:refresh";
/** The picker's value for the whole organisation (team ids are lower-case, so no clash). */
export const ORG_OPTION = "ORG";

interface HomeReview {
  readonly title: string;
  readonly service: string | null;
  readonly dueAtIso: string;
  readonly overdue: boolean;
  readonly url: string | null;
}

export interface HomeModel {
  readonly teams: readonly { readonly id: string; readonly name: string }[];
  /** null: the organisation. */
  readonly team: { readonly id: string; readonly name: string } | null;
  readonly answers: readonly KpiAnswer[];
  readonly reviews: readonly HomeReview[];
  readonly zone: string;
  readonly windowLabel: string;
  readonly updatedAtIso: string;
}

function option(value: string, text: string) {
  return { text: { type: "plain_text", text: text.slice(0, 75), emoji: true }, value };
}

export function homeView(model: HomeModel): { type: "home"; blocks: SlackBlock[] } {
  const options = [option(ORG_OPTION, "Whole organisation"), ...model.teams.slice(0, 99).map((t) => option(t.id, t.name))];
  const selected = model.team ? options.find((o) => o.value === model.team!.id) ?? options[0]! : options[0]!;
  const title = model.team ? model.team.name : "Whole organisation";
  const blocks: SlackBlock[] = [
    header(`Vitals · ${title}`),
    {
      type: "actions",
      block_id: "home_controls",
      elements: [
        {
          type: "static_select",
          action_id: HOME_TEAM_ACTION,
          placeholder: { type: "plain_text", text: "Pick a team" },
          options,
          initial_option: selected,
        },
        { type: "button", action_id: HOME_REFRESH_ACTION, text: { type: "plain_text", text: "Refresh", emoji: true }, value: selected.value },
      ],
    },
  ];
  const first = model.answers[0];
  blocks.push(
    context([
      `${escapeMrkdwn(model.windowLabel)}${first ? ` (${formatWindowRange(first.window, model.zone)}, ${model.zone})` : ""} vs the previous window · updated ${escapeMrkdwn(model.updatedAtIso)}`,
    ]),
    divider(),
  );
  if (model.answers.length === 0) blocks.push(section("_No KPIs yet: connect a source (see `/kpi help`) or run `vitals demo`._"));
  for (const answer of model.answers) blocks.push(section(kpiLine(answer)));
  blocks.push(divider());
  if (model.reviews.length === 0) blocks.push(section("*Open post-incident reviews*\nNone open. :tada:"));
  else {
    blocks.push(
      bulletSection(
        `Open post-incident reviews (${model.reviews.length})`,
        model.reviews.map((r) => {
          const title = r.url ? `<${r.url}|${escapeMrkdwn(r.title)}>` : escapeMrkdwn(r.title);
          const due = `${r.overdue ? ":red_circle: overdue since" : "due"} ${r.dueAtIso.slice(0, 10)}`;
          return `${title}${r.service ? ` (${escapeMrkdwn(r.service)})` : ""} — ${due}`;
        }),
      ),
    );
  }
  blocks.push(context(["Ask anything with `/kpi`, e.g. `/kpi lead_time for team payments last 90 days`."]));
  return { type: "home", blocks };
}
