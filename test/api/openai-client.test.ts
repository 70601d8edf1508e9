import test from 'ava';
import OpenAI from 'openai';
import { startServer } from './helpers.ts';
import { byteTokenizer, expectedTokens } from './test-engine.ts';

const client = (url: string, apiKey = 'unused'): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
const text = (ids: number[]): string => String.fromCharCode(...ids);

test('completions, non-streaming: text, finish_reason length and usage from the engine', async (t) => {
  const { url } = await startServer(t);
  const prompt = 'The capital of France is';
  const res = await client(url).completions.create({ model: 'test-model', prompt, max_tokens: 12, temperature: 0 });
  t.is(res.object, 'text_completion');
  t.regex(res.id, /^cmpl-/);
  t.is(res.model, 'test-model');
  t.is(res.choices.length, 1);
  t.is(res.choices[0]?.text, text(expectedTokens(byteTokenizer.encode(prompt), 12)));
  t.is(res.choices[0]?.finish_reason, 'length');
  t.deepEqual(res.usage, { prompt_tokens: prompt.length, completion_tokens: 12, total_tokens: prompt.length + 12 });
});

test('completions default max_tokens is 16 (OpenAI); EOS ends with finish_reason stop', async (t) => {
  const { url } = await startServer(t);
  const c = client(url);
  const plain = await c.completions.create({ model: 'test-model', prompt: 'hello' });
  t.is(plain.usage?.completion_tokens, 16);
  const eos = await c.completions.create({ model: 'test-model', prompt: 'stop at eos@3 please', max_tokens: 20 });
  t.is(eos.choices[0]?.finish_reason, 'stop');
  t.is(eos.choices[0]?.text.length, 3);
  t.is(eos.usage?.completion_tokens, 4, 'the EOS token counts as generated, as in vLLM');
  const ignored = await c.completions.create({ model: 'test-model', prompt: 'stop at eos@3 please', max_tokens: 20, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
  t.is(ignored.choices[0]?.finish_reason, 'length');
});

test('completions, streaming with include_usage: chunks add up to the non-streamed text, usage last', async (t) => {
  const { url } = await startServer(t);
  const c = client(url);
  const whole = await c.completions.create({ model: 'test-model', prompt: 'stream me', max_tokens: 9 });
  const stream = await c.completions.create({ model: 'test-model', prompt: 'stream me', max_tokens: 9, stream: true, stream_options: { include_usage: true } });
  let streamed = '';
  const finishes: (string | null)[] = [];
  let usage: OpenAI.CompletionUsage | null | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.choices.length === 0) usage = chunk.usage;
    for (const choice of chunk.choices) {
      streamed += choice.text;
      finishes.push(choice.finish_reason);
    }
  }
  t.is<string | undefined, string | undefined>(streamed, whole.choices[0]?.text);
  t.is(chunks, 10, 'one chunk per token and the usage chunk');
  t.is(finishes.at(-1), 'length');
  t.true(finishes.slice(0, -1).every((f) => f === null));
  t.deepEqual(usage, whole.usage);
});

test('chat, non-streaming and streaming agree; the first chunk announces the assistant role', async (t) => {
  const { url, engine } = await startServer(t);
  const c = client(url);
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi there' },
  ];
  const whole = await c.chat.completions.create({ model: 'test-model', messages, max_completion_tokens: 7, temperature: 0 });
  t.is(whole.object, 'chat.completion');
  t.regex(whole.id, /^chatcmpl-/);
  const templated = byteTokenizer.encode('<system>be brief\n<user>hi there\n<assistant>');
  t.deepEqual(engine.requests[0]?.prompt_token_ids, templated);
  t.is(whole.choices[0]?.message.role, 'assistant');
  t.is(whole.choices[0]?.message.content, text(expectedTokens(templated, 7)));
  t.deepEqual(whole.usage, { prompt_tokens: templated.length, completion_tokens: 7, total_tokens: templated.length + 7 });

  const stream = await c.chat.completions.create({ model: 'test-model', messages, max_tokens: 7, temperature: 0, stream: true, stream_options: { include_usage: true } });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  t.is(chunks[0]?.choices[0]?.delta.role, 'assistant');
  t.is<string | null | undefined, string | null | undefined>(chunks.map((ch) => ch.choices[0]?.delta.content ?? '').join(''), whole.choices[0]?.message.content);
  t.is(chunks.at(-2)?.choices[0]?.finish_reason, 'length');
  t.deepEqual(chunks.at(-1)?.choices, []);
  t.deepEqual(chunks.at(-1)?.usage, whole.usage);
  t.true(chunks.every((ch) => ch.object === 'chat.completion.chunk' && ch.id === chunks[0]?.id));
});

test('sampling parameters reach the engine; the same seed gives the same output', async (t) => {
  const { url, engine } = await startServer(t);
  const c = client(url);
  const params = { model: 'test-model', prompt: 'seeded', max_tokens: 10, temperature: 0.8, top_p: 0.9, seed: 42, stop: ['zz'] };
  const a = await c.completions.create({ ...params, top_k: 5 } as OpenAI.CompletionCreateParamsNonStreaming);
  const b = await c.completions.create(params);
  const other = await c.completions.create({ ...params, seed: 43 });
  t.is(a.choices[0]?.text, b.choices[0]?.text);
  t.not(a.choices[0]?.text, other.choices[0]?.text);
  t.like(engine.requests[0]?.sampling, { max_tokens: 10, temperature: 0.8, top_p: 0.9, top_k: 5, seed: 42, stop: ['zz'], ignore_eos: false });
  t.is(engine.requests[1]?.sampling.top_k, -1, 'top_k defaults to off');
});

test('logprobs: legacy completions arrays and chat content entries', async (t) => {
  const { url } = await startServer(t);
  const c = client(url);
  const comp = await c.completions.create({ model: 'test-model', prompt: 'lp', max_tokens: 3, logprobs: 2 });
  const lp = comp.choices[0]?.logprobs;
  t.is(lp?.tokens?.join(''), comp.choices[0]?.text);
  t.deepEqual(lp?.token_logprobs, [-0.5, -0.5, -0.5]);
  t.deepEqual(lp?.text_offset, [0, 1, 2]);
  t.is(Object.keys(lp?.top_logprobs?.[0] ?? {}).length, 2);
  const chat = await c.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'lp' }], max_tokens: 3, logprobs: true, top_logprobs: 3 });
  const content = chat.choices[0]?.logprobs?.content ?? [];
  t.is(content.length, 3);
  t.is<string | null | undefined, string | null | undefined>(content.map((e) => e.token).join(''), chat.choices[0]?.message.content);
  t.is(content[0]?.top_logprobs.length, 3);
  t.deepEqual(content[0]?.bytes, [...Buffer.from(content[0]?.token ?? '')]);
});

test('models, health, version', async (t) => {
  const { url } = await startServer(t, { max_model_len: 300 });
  const models = await client(url).models.list();
  t.deepEqual(
    models.data.map((m) => [m.id, m.object, (m as unknown as { max_model_len: number }).max_model_len]),
    [['test-model', 'model', 300]],
  );
  t.is((await fetch(`${url}/health`)).status, 200);
  t.regex(((await (await fetch(`${url}/version`)).json()) as { version: string }).version, /^\d+\.\d+\.\d+/);
});
