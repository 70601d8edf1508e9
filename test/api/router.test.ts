import test from 'ava';
import { createApiServer, StaticEngineRouter } from '../../backend/api/index.ts';
import { parsePrometheus, postJson, sample } from './helpers.ts';
import { TestEngine } from './test-engine.ts';

test('several engines: models listed, round-robin within a model, load gauges summed per model', async (t) => {
  const a1 = new TestEngine({ model_name: 'a' });
  const a2 = new TestEngine({ model_name: 'a' });
  const b = new TestEngine({ model_name: 'b', token_delay_ms: 30, max_model_len: 100_000 });
  const server = createApiServer({ router: new StaticEngineRouter([a1, a2, b]) });
  const url = await server.listen({ port: 0 });
  t.teardown(() => server.close());
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds loopback by default');

  const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
  t.deepEqual(models.data.map((m) => m.id), ['a', 'b']);
  for (let i = 0; i < 4; i++) await postJson(`${url}/v1/completions`, { model: 'a', prompt: 'x', max_tokens: 1 });
  t.is(a1.requests.length, 2);
  t.is(a2.requests.length, 2);

  const missing = await postJson(`${url}/v1/completions`, { prompt: 'x' });
  t.is(missing.status, 400);
  t.like(missing.json.error, { param: 'model', code: 'missing_required_parameter' });

  const controller = new AbortController();
  const busy = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'b', prompt: 'x', max_tokens: 5000, stream: true }),
    signal: controller.signal,
  });
  await busy.body?.getReader().read();
  const m = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  controller.abort();
  t.is(sample(m, 'vllm:num_requests_running', { model_name: 'a' }), 0);
  t.is(sample(m, 'vllm:num_requests_running', { model_name: 'b' }), 1);
  t.is(sample(m, 'vllm:request_success_total', { model_name: 'a', finished_reason: 'length' }), 4);
});

test('a model served alone may be left out of the request (vLLM)', async (t) => {
  const engine = new TestEngine();
  const server = createApiServer({ router: new StaticEngineRouter([engine]) });
  const url = await server.listen({ port: 0 });
  t.teardown(() => server.close());
  const res = await postJson(`${url}/v1/completions`, { prompt: 'x', max_tokens: 2 });
  t.is(res.status, 200);
  t.is(res.json.model, 'test-model');
});

test('engines of one model must agree on max_model_len', (t) => {
  t.throws(() => new StaticEngineRouter([new TestEngine({ max_model_len: 10 }), new TestEngine({ max_model_len: 20 })]), { message: /disagree on max_model_len/ });
});
