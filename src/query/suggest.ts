// "Did you mean" for unknown metrics, teams and services. Optimal-string-alignment distance
// (Levenshtein plus adjacent transpositions, the commonest typo: "cfr" → "crf").

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates close enough to `input` to be what the user meant, best first (at most `limit`).
 * Close enough: a prefix of the candidate (≥ 3 letters), or within one edit per three letters.
 */
export function suggest(input: string, candidates: Iterable<string>, limit = 2): string[] {
  const needle = input.toLowerCase();
  if (needle.length === 0) return [];
  const scored: { candidate: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    // Bound the work: a 50-letter typo against a 3-letter alias is never a match.
    if (Math.abs(lower.length - needle.length) > 4 && !lower.startsWith(needle)) continue;
    const distance = editDistance(needle, lower);
    const allowed = Math.max(1, Math.floor(Math.max(needle.length, lower.length) / 3));
    if (needle.length >= 3 && lower.startsWith(needle)) scored.push({ candidate, score: 0.5 });
    else if (distance <= allowed) scored.push({ candidate, score: distance });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.candidate.length - b.candidate.length || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}
