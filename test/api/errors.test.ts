import test from 'ava';
import OpenAI from 'openai';
import { postJson, startServer } from './helpers.ts';

const completions = (url: string): string => `${url}/v1/completions`;

const isOpenAiError = (json: any): boolean =>
  typeof json?.error?.message === 'string' && typeof json.error.type === 'string' && 'param' in json.error && 'code' in json.error;

test('malformed JSON → 400 invalid_json naming the body', async (t) => {
  const { url } = await startServer(t);
  const { status, json } = await postJson(completions(url), '{"model": "test-model", "prompt": ');
  t.is(status, 400);
  t.true(isOpenAiError(json));
  t.like(json.error, { type: 'invalid_request_error', param: 'body', code: 'invalid_json' });
});

test('an oversized body → 413 with the limit in the message', async (t) => {
  const { url } = await startServer(t, {}, { max_body_bytes: 1000 });
  const { status, json } = await postJson(completions(url), { model: 'test-model', prompt: 'x'.repeat(2000) });
  t.is(status, 413);
  t.like(json.error, { type: 'request_too_large', code: 'body_too_large' });
  t.regex(json.error.message, /1000 bytes/);
});

test('unknown model → 404 model_not_found listing the served models', async (t) => {
  const { url } = await startServer(t);
  const { status, json } = await postJson(completions(url), { model: 'gpt-9', prompt: 'hi' });
  t.is(status, 404);
  t.like(json.error, { param: 'model', code: 'model_not_found' });
  t.regex(json.error.message, /gpt-9.*test-model/);
});

const badParams: [string, Record<string, unknown>, string, RegExp][] = [
  ['negative temperature', { temperature: -1 }, 'temperature', />=0|≥0|too small/i],
  ['top_p of 0', { top_p: 0 }, 'top_p', /top_p/],
  ['fractional max_tokens', { max_tokens: 2.5 }, 'max_tokens', /integer|int/i],
  ['n beyond 128', { n: 129 }, 'n', /128/],
  ['string seed', { seed: 'abc' }, 'seed', /number/],
  ['too many top logprobs', { logprobs: 21 }, 'logprobs', /20/],
  ['presence_penalty beyond 2', { presence_penalty: 2.5 }, 'presence_penalty', /presence_penalty|2/],
  ['min_tokens beyond max_tokens', { max_tokens: 4, min_tokens: 5 }, 'min_tokens', /'min_tokens' \(5\) must be at most 'max_tokens' \(4\)/],
  ['logit_bias with a key that is no token id', { logit_bias: { hello: 1 } }, 'logit_bias.hello', /token id .*as key, not "hello"/],
  ['logit_bias beyond 100', { logit_bias: { 5: 150 } }, 'logit_bias.5', /100/],
  ['echo (not implemented)', { echo: true }, 'echo', /not supported/],
  ['stream_options without stream', { stream_options: { include_usage: true } }, 'stream_options', /stream/],
  ['batched prompts', { prompt: ['a', 'b'] }, 'prompt', /one prompt per request/],
  ['a prompt that is not text or tokens', { prompt: { text: 'hi' } }, 'prompt', /Invalid/],
];
for (const [name, patch, param, message] of badParams) {
  test(`bad parameter: ${name} → 400 naming '${param}'`, async (t) => {
    const { url, engine } = await startServer(t);
    const { status, json } = await postJson(completions(url), { model: 'test-model', prompt: 'hi', ...patch });
    t.is(status, 400);
    t.true(isOpenAiError(json));
    t.is(json.error.param, param);
    t.is(json.error.type, 'invalid_request_error');
    t.regex(json.error.message, message);
    t.is(engine.requests.length, 0, 'nothing reached the engine');
  });
}

test('a missing field in a chat message names its path', async (t) => {
  const { url } = await startServer(t);
  const { status, json } = await postJson(`${url}/v1/chat/completions`, { model: 'test-model', messages: [{ content: 'hi' }] });
  t.is(status, 400);
  t.is(json.error.param, 'messages.0.role');
});

test('max_tokens beyond the context → 400 context_length_exceeded with the numbers', async (t) => {
  const { url } = await startServer(t, { max_model_len: 64 });
  const tooMany = await postJson(completions(url), { model: 'test-model', prompt: 'x'.repeat(10), max_tokens: 60 });
  t.is(tooMany.status, 400);
  t.like(tooMany.json.error, { param: 'max_tokens', code: 'context_length_exceeded' });
  t.regex(tooMany.json.error.message, /maximum context length is 64 tokens.*70 tokens \(10 in the input, 60 in the completion\)/);
  const longPrompt = await postJson(`${url}/v1/chat/completions`, { model: 'test-model', messages: [{ role: 'user', content: 'y'.repeat(80) }] });
  t.like(longPrompt.json.error, { param: 'messages', code: 'context_length_exceeded' });
  const fits = await postJson(completions(url), { model: 'test-model', prompt: 'x'.repeat(10), max_tokens: 54 });
  t.is(fits.status, 200);
});

test('the chat default max_tokens fills the context (vLLM)', async (t) => {
  const { url, engine } = await startServer(t, { max_model_len: 64 });
  await postJson(`${url}/v1/chat/completions`, { model: 'test-model', messages: [{ role: 'user', content: 'hi' }] });
  const prompt = engine.requests[0]?.prompt_token_ids.length ?? 0;
  t.is(engine.requests[0]?.sampling.max_tokens, 64 - prompt);
});

test('unknown routes and wrong content types answer in the same error shape', async (t) => {
  const { url } = await startServer(t);
  const missing = await fetch(`${url}/v1/embeddings`, { method: 'POST' });
  t.is(missing.status, 404);
  t.true(isOpenAiError(await missing.json()));
  const wrongType = await fetch(completions(url), { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<hi/>' });
  t.is(wrongType.status, 415);
  t.true(isOpenAiError(await wrongType.json()));
});

test('the openai client surfaces the status, param and message', async (t) => {
  const { url } = await startServer(t);
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
  const error = await t.throwsAsync(client.completions.create({ model: 'test-model', prompt: 'hi', temperature: -3 }));
  t.true(error instanceof OpenAI.BadRequestError);
  t.is((error as InstanceType<typeof OpenAI.BadRequestError>).param, 'temperature');
});

test('--api-key: /v1 needs the bearer token; /health and /metrics stay open', async (t) => {
  const { url } = await startServer(t, {}, { api_key: 'sekret' });
  const body = { model: 'test-model', prompt: 'hi', max_tokens: 2 };
  const none = await postJson(completions(url), body);
  t.is(none.status, 401);
  t.like(none.json.error, { type: 'authentication_error', code: 'invalid_api_key' });
  t.is((await postJson(completions(url), body, { authorization: 'Bearer wrong!' })).status, 401);
  t.is((await postJson(completions(url), body, { authorization: 'Bearer sekret' })).status, 200);
  t.is((await fetch(`${url}/v1/models`)).status, 401);
  t.is((await fetch(`${url}/health`)).status, 200);
  t.is((await fetch(`${url}/metrics`)).status, 200);
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sekret', maxRetries: 0 });
  t.is((await client.completions.create(body)).usage?.completion_tokens, 2);
});

test('priority: vLLM integers (negative → high), class names, and the x-priority header', async (t) => {
  const { url, engine } = await startServer(t);
  const base = { model: 'test-model', prompt: 'p', max_tokens: 1 };
  await postJson(completions(url), { ...base, priority: -1 });
  await postJson(completions(url), { ...base, priority: 5 });
  await postJson(completions(url), { ...base, priority: 'high' });
  await postJson(completions(url), base, { 'x-priority': 'high' });
  await postJson(completions(url), { ...base, priority: 0 }, { 'x-priority': 'high' });
  await postJson(completions(url), base);
  t.deepEqual(engine.requests.map((r) => r.priority), ['high', 'normal', 'high', 'high', 'normal', 'normal']);
  const bad = await postJson(completions(url), base, { 'x-priority': 'urgent' });
  t.is(bad.status, 400);
  t.is(bad.json.error.param, 'x-priority');
});
