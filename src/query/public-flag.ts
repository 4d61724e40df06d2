// A trailing `public` in the `/kpi` language: post the answer in the channel (Slack); a terminal
// (`vitals ask`) accepts it and ignores it. Whitespace is normalised on the way.

export function splitPublicFlag(raw: string): { readonly text: string; readonly public: boolean } {
  let text = raw.trim().replace(/\s+/g, " ");
  const isPublic = /(^|\s)public$/i.test(text);
  if (isPublic) text = text.replace(/\s*public$/i, "").trim();
  return { text, public: isPublic };
}
