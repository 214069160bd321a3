/** "Did you mean …?" suggestions for unknown names (targets, group members, fields). */

/** Levenshtein distance; inputs here are short names, so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Punctuation people drop or swap when typing names: `web3` for `web-3`, `web_3` for `web.3`. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

/**
 * Candidates close to `text` (case-insensitive), best first: small edit distance once punctuation
 * is ignored, or one contains the other (`web` → `web-1`, `web-1.example.com` → `web-1`).
 */
export function closeMatches(text: string, candidates: Iterable<string>, limit = 5): string[] {
  const needle = text.toLowerCase();
  const squashed = squash(text);
  const allowed = Math.max(1, Math.floor(squashed.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    if (seen.has(name)) continue;
    seen.add(name);
    const hay = name.toLowerCase();
    // Punctuation-blind distance first; the raw distance breaks ties (`web3`: `web-3` before `web`).
    const distance = editDistance(squashed, squash(name));
    const tie = editDistance(needle, hay) / 100;
    if (distance <= allowed) scored.push({ name, score: distance + tie });
    else if (needle.length >= 2 && (hay.includes(needle) || needle.includes(hay))) {
      scored.push({ name, score: allowed + Math.abs(hay.length - needle.length) + tie });
    }
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}
