/**
 * The known name a mistyped one was most likely meant to be, for "did you mean …?" hints:
 * a name equal but for case, else the one within a few edits (insertions, deletions,
 * substitutions), else none. Ties go to the name listed first, so the hint is deterministic.
 */
export function nearestName(value: string, names: readonly string[], maxEdits = 3): string | undefined {
  const folded = value.toLowerCase();
  const sameButCase = names.find((n) => n.toLowerCase() === folded);
  if (sameButCase !== undefined) return sameButCase;
  let best: string | undefined;
  let bestDistance = maxEdits + 1;
  for (const name of names) {
    const d = editDistance(folded, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
