// Learns byte-level BPE merges from a text: split into pre-tokens with the same regex the
// tokenizer.json uses, then repeatedly merge the most frequent adjacent pair. Ties go to the
// pair that sorts first, so the merges (and the tokenizer) are the same on every run.
import { bytesToSymbols } from './byte-level.ts';

/**
 * The pre-tokenizer split (GPT-2/Qwen2 style, case-sensitive contractions so the JS and the
 * Oniguruma readings of it agree): letters with one leading non-letter, single digits,
 * punctuation runs, newlines, and spaces.
 */
export const PRETOKENIZE_PATTERN = "'(?:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export function pretokenize(text: string): string[] {
  return text.match(new RegExp(PRETOKENIZE_PATTERN, 'gu')) ?? [];
}

export interface LearnedBpe {
  /** Merges in rank order, each [left, right] in byte-level symbols. */
  readonly merges: ReadonlyArray<readonly [string, string]>;
}

/**
 * Learns at most `maxMerges` merges; stops early when every pre-token is one symbol. Pairs
 * seen once are merged too (after every more frequent one): a tiny corpus must still fill a
 * tiny vocabulary.
 */
export function learnBpe(text: string, maxMerges: number): LearnedBpe {
  const counts = new Map<string, number>();
  for (const piece of pretokenize(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const encoder = new TextEncoder();
  const words = [...counts].map(([piece, count]) => ({ symbols: bytesToSymbols(encoder.encode(piece)), count }));
  const merges: Array<[string, string]> = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const key = `${w.symbols[i]!} ${w.symbols[i + 1]!}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, n] of pairs) {
      if (n > bestCount || (n === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = n;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push([left, right]);
    const joined = left + right;
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (w.symbols[i] === left && w.symbols[i + 1] === right) {
          out.push(joined);
          i++;
        } else {
          out.push(w.symbols[i]!);
        }
      }
      w.symbols = out;
    }
  }
  return { merges };
}
