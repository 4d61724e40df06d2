import { splitPublicFlag } from "../../query/public-flag.js";
import type { KpiSubcommand } from "../kpi-subcommand.js";

// Pure routing of the text after `/kpi`: a trailing `public` posts the answer in the channel; a
// subcommand is matched on its whole name (one or two words), longest first.

export interface RoutedText {
  /** The text without the `public` flag. */
  readonly text: string;
  readonly public: boolean;
  readonly subcommand?: KpiSubcommand;
  /** Words after the subcommand's name. */
  readonly args: readonly string[];
}

export function routeKpiText(raw: string, subcommands: readonly KpiSubcommand[]): RoutedText {
  const { text, public: isPublic } = splitPublicFlag(raw);
  const words = text.split(" ").filter(Boolean);
  const lower = words.map((w) => w.toLowerCase());
  const byLength = [...subcommands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const sub of byLength) {
    const name = sub.name.split(" ");
    if (name.every((w, i) => lower[i] === w)) return { text, public: isPublic, subcommand: sub, args: words.slice(name.length) };
  }
  return { text, public: isPublic, args: words };
}
