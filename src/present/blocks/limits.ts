import { LIMITS, type SlackBlock } from "./kit.js";

// Block Kit limits Slack enforces (a message over them is rejected with invalid_blocks), checked in
// tests for every builder. https://docs.slack.dev/reference/block-kit/blocks

export function blockKitProblems(blocks: readonly SlackBlock[], surface: "message" | "home" | "modal" = "message"): string[] {
  const problems: string[] = [];
  const max = surface === "message" ? LIMITS.blocksPerMessage : LIMITS.blocksPerView;
  if (blocks.length > max) problems.push(`${blocks.length} blocks (limit ${max})`);
  blocks.forEach((block, index) => {
    const where = `block ${index} (${block.type})`;
    const text = (block as { text?: { text?: string } }).text?.text;
    if (block.type === "section" && text !== undefined && text.length > LIMITS.sectionText) {
      problems.push(`${where}: text of ${text.length} characters (limit ${LIMITS.sectionText})`);
    }
    if (block.type === "section" && text === undefined && !(block as { fields?: unknown[] }).fields) {
      problems.push(`${where}: a section needs text or fields`);
    }
    if (block.type === "header" && text !== undefined && text.length > LIMITS.headerText) {
      problems.push(`${where}: header of ${text.length} characters (limit ${LIMITS.headerText})`);
    }
    const blockFields = (block as { fields?: { text: string }[] }).fields ?? [];
    if (blockFields.length > LIMITS.fields) problems.push(`${where}: ${blockFields.length} fields (limit ${LIMITS.fields})`);
    for (const field of blockFields) {
      if (field.text.length > LIMITS.fieldText) problems.push(`${where}: field of ${field.text.length} characters`);
    }
    const elements = (block as { elements?: Record<string, unknown>[] }).elements ?? [];
    if (block.type === "context" && elements.length > LIMITS.contextElements) problems.push(`${where}: ${elements.length} context elements`);
    if (block.type === "actions" && elements.length > 25) problems.push(`${where}: ${elements.length} elements (limit 25)`);
    for (const element of elements) {
      const value = element.value;
      if (typeof value === "string" && value.length > LIMITS.buttonValue) problems.push(`${where}: button value of ${value.length} characters`);
      const label = (element.text as { text?: string } | undefined)?.text;
      if (element.type === "button" && label && label.length > LIMITS.buttonText) problems.push(`${where}: button text of ${label.length} characters`);
    }
  });
  return problems;
}
