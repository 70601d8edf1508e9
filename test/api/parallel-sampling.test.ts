// OpenAI's `n`: each choice is its own engine request ("{index}_{id}", seed + index), answered
// as one response; streamed chunks carry their choice's index; the usage counts the prompt once;
// a client that leaves aborts every choice's engine request.
import test from 'ava';
import OpenAI from 'openai';
import { parsePrometheus, sample, startServer } from './helpers.ts';
import { byteTokenizer, expectedTokens } from './test-engine.ts';

const client = (url: string): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
const text = (ids: number[]): string => String.fromCharCode(...ids);

test('completions, n = 3: one choice per seed + index, in index order, usage with the prompt once', async (t) => {
  const { url, engine } = await startServer(t);
  const prompt = 'Three ways to say it';
  const res = await client(url).completions.create({ model: 'test-model', prompt, max_tokens: 7, temperature: 1, seed: 40, n: 3 });
  t.regex(res.id, /^cmpl-/);
  t.deepEqual(res.choices.map((c) => c.index), [0, 1, 2]);
  const ids = byteTokenizer.encode(prompt);
  for (const [i, choice] of res.choices.entries()) t.is(choice.text, text(expectedTokens(ids, 7, { seed: 40 + i, temperature: 1 })), `choice ${i} is seed ${40 + i}'s`);
  t.not(res.choices[0]?.text, res.choices[1]?.text, 'the choices differ');
  t.deepEqual(res.usage, { prompt_tokens: ids.length, completion_tokens: 21, total_tokens: ids.length + 21 });
  t.deepEqual(engine.requests.map((r) => r.request_id).sort(), [0, 1, 2].map((i) => `${i}_${res.id}`));
  // A single request with the choice's seed gives that choice.
  const one = await client(url).completions.create({ model: 'test-model', prompt, max_tokens: 7, temperature: 1, seed: 42 });
  t.is(one.choices[0]?.text, res.choices[2]?.text);
});

test('chat, streamed, n = 2: a role chunk per choice, chunks by index add up to the whole answers, one usage chunk', async (t) => {
  const { url } = await startServer(t);
  const c = client(url);
  const body = { model: 'test-model', messages: [{ role: 'user' as const, content: 'Say two things' }], max_tokens: 6, temperature: 1, seed: 3, n: 2 };
  const whole = await c.chat.completions.create(body);
  const stream = await c.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
  const texts = ['', ''];
  const roles: number[] = [];
  const finishes: (string | null | undefined)[] = [undefined, undefined];
  let usage: OpenAI.CompletionUsage | undefined;
  let usageChunks = 0;
  for await (const chunk of stream) {
    if (chunk.usage) {
      usage = chunk.usage;
      usageChunks++;
    }
    for (const choice of chunk.choices) {
      if (choice.delta.role === 'assistant') roles.push(choice.index);
      texts[choice.index] += choice.delta.content ?? '';
      if (choice.finish_reason !== null) finishes[choice.index] = choice.finish_reason;
    }
  }
  t.deepEqual(roles, [0, 1]);
  t.deepEqual(texts, whole.choices.map((ch) => ch.message.content));
  t.deepEqual(finishes, ['length', 'length']);
  t.is(usageChunks, 1);
  t.deepEqual(usage, whole.usage);
  t.is(whole.usage?.completion_tokens, 12);
});

for (const stream of [true, false]) {
  test(`n = 3: a client that disconnects aborts every choice's engine request (${stream ? 'streaming' : 'non-streaming'})`, async (t) => {
    const { url, engine } = await startServer(t, { token_delay_ms: 20, max_model_len: 100_000 });
    const controller = new AbortController();
    const res = fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test-model', prompt: 'long', max_tokens: 10_000, stream, n: 3 }),
      signal: controller.signal,
    });
    res.catch(() => undefined); // the abort below rejects it
    if (stream) {
      const reader = (await res).body?.getReader();
      await reader?.read();
    }
    while (engine.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    while (engine.aborted.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    t.deepEqual([...engine.aborted].sort(), engine.requests.map((r) => r.request_id).sort());
    t.is(engine.stats().num_requests_running, 0);
    // Every choice's request is counted as finished (aborted): none left in flight.
    const metrics = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
    t.is(sample(metrics, 'vllm:request_success_total', { model_name: 'test-model', finished_reason: 'abort' }), 3);
  });
}
