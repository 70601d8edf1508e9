// vLLM's `return_token_ids` extension on /v1/completions: choices carry the token ids they
// generated, streamed and whole (the fleet manager reads external servers' output with it).
import test from 'ava';
import { postJson, startServer } from './helpers.ts';

test('completions with return_token_ids: streamed chunks carry the ids of the whole answer; without it no ids', async (t) => {
  const { url } = await startServer(t, { tokens_per_delta: 2 });
  const whole = await postJson(`${url}/v1/completions`, { model: 'test-model', prompt: 'ids please', max_tokens: 5, temperature: 0, return_token_ids: true });
  t.is(whole.status, 200);
  const ids = whole.json.choices[0].token_ids as number[];
  t.is(ids.length, whole.json.usage.completion_tokens);
  t.true(ids.every((x) => Number.isInteger(x) && x >= 0));

  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', prompt: 'ids please', max_tokens: 5, temperature: 0, stream: true, return_token_ids: true }),
  });
  const chunks = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
  t.deepEqual(chunks.flatMap((c) => c.choices[0].token_ids), ids);

  const plain = await postJson(`${url}/v1/completions`, { model: 'test-model', prompt: 'ids please', max_tokens: 5, temperature: 0 });
  t.false('token_ids' in plain.json.choices[0]);
});
