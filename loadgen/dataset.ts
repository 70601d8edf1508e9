// Prompts for a benchmark, reproducible from the seed. Token counts come from the server's
// /tokenize (vLLM and fleetlab serve it) when it answers, since the load generator has no
// tokenizer of its own; otherwise they are estimated and the server's usage is what gets reported.
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import type { BenchServeOptions } from './options.ts';
import type { ServerTokenizer } from './server-tokenizer.ts';

export interface BenchPrompt {
  readonly prompt: string;
  /** max_tokens to ask for. Tokens. */
  readonly output_len: number;
}

// Common short English words: random prompts built from them tokenize to roughly one token each.
const WORDS = (
  'time year people way day man thing woman life child world school state family student group country problem hand part place case ' +
  'week company system program question work government number night point home water room mother area money story fact month lot ' +
  'right study book eye job word business issue side kind head house service friend father power hour game line end member law car ' +
  'city name team minute idea kid body information back parent face others level office door health person art war history party result'
).split(' ');

const CHARS_PER_TOKEN = 4;

export async function randomPrompts(o: BenchServeOptions, tokenizer: ServerTokenizer | undefined): Promise<BenchPrompt[]> {
  const rng = seedrandom(`${o.seed}:prompts`);
  const prompts: BenchPrompt[] = [];
  for (let i = 0; i < o.num_prompts; i++) {
    // A few extra words so the tokenized text is long enough to cut to exactly random_input_len tokens.
    const words = Array.from({ length: o.random_input_len + 8 }, () => WORDS[Math.floor(rng() * WORDS.length)] as string);
    let prompt = words.slice(0, o.random_input_len).join(' ');
    if (tokenizer !== undefined) {
      const ids = await tokenizer.encode(words.join(' '));
      prompt = await tokenizer.decode(ids.slice(0, o.random_input_len));
    }
    prompts.push({ prompt, output_len: o.random_output_len });
  }
  return prompts;
}

interface Conversation {
  readonly conversations?: readonly { readonly value?: unknown }[];
}

function readConversations(path: string): Conversation[] {
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('[')) return JSON.parse(text) as Conversation[];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Conversation;
      } catch (cause) {
        throw new Error(`${path}:${i + 1}: expected one JSON object per line`, { cause });
      }
    });
}

/**
 * vLLM's ShareGPT sampling: shuffle with the seed, turn 0 is the prompt, turn 1's length is
 * max_tokens; keep pairs with both ≥ 4 tokens, prompt ≤ 1024 and total ≤ 2048.
 */
export async function shareGptPrompts(o: BenchServeOptions, tokenizer: ServerTokenizer | undefined): Promise<BenchPrompt[]> {
  const path = o.dataset_path as string;
  const entries = readConversations(path);
  const rng = seedrandom(`${o.seed}:prompts`);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as Conversation, entries[i] as Conversation];
  }
  const count = async (text: string): Promise<number> =>
    tokenizer === undefined ? Math.ceil(text.length / CHARS_PER_TOKEN) : (await tokenizer.encode(text)).length;
  const prompts: BenchPrompt[] = [];
  for (const entry of entries) {
    if (prompts.length === o.num_prompts) break;
    const [first, second] = entry.conversations ?? [];
    if (typeof first?.value !== 'string' || typeof second?.value !== 'string') continue;
    const promptLen = await count(first.value);
    const outputLen = await count(second.value);
    if (promptLen < 4 || outputLen < 4 || promptLen > 1024 || promptLen + outputLen > 2048) continue;
    prompts.push({ prompt: first.value, output_len: outputLen });
  }
  if (prompts.length < o.num_prompts) {
    throw new Error(`${path}: only ${prompts.length} usable conversations for --num-prompts ${o.num_prompts}`);
  }
  return prompts;
}
