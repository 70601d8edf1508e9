// The streams of bench:serve section 2: the same prompts for the engine alone and for the API,
// and the HTTP client that reads one streamed completion (bench/serve-client.ts runs it in a
// process of its own, so that its parsing is not counted as the API's).
import http from 'node:http';

/** Stream i's prompt: `length` token ids, distinct per stream, no tokenizer needed. */
export const streamPrompt = (i: number, length: number): number[] => Array.from({ length }, (_, j) => (i * 97 + j * 31 + 5) % 1000);

/**
 * Connections stay open between requests, as the clients of an OpenAI server keep them (the
 * `openai` client, `vllm bench serve`'s aiohttp session): a round after the warm-up reuses the
 * warm-up's connections instead of opening 64 at once.
 */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** POSTs `body` and reads the whole streamed answer with node:http (lighter than fetch's WHATWG streams). */
export function postStream(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** One round: `streams` concurrent streamed completions of `max_tokens`; resolves to the output tokens counted by `usage`. */
export async function streamRound(url: string, model: string, streams: number, input_len: number, max_tokens: number): Promise<number> {
  let tokens = 0;
  await Promise.all(Array.from({ length: streams }, async (_, i) => {
    const { status, text } = await postStream(`${url}/v1/completions`, {
      model, prompt: streamPrompt(i, input_len), max_tokens, temperature: 0, ignore_eos: true, stream: true, stream_options: { include_usage: true },
    });
    const usage = /"completion_tokens":(\d+)/.exec(text);
    if (status !== 200 || usage === null) throw new Error(`stream ${i}: HTTP ${status} ${text.slice(0, 200)}`);
    tokens += Number(usage[1]);
  }));
  return tokens;
}
