import test from 'ava';
import { parsePrometheus, postJson, sample, startServer } from './helpers.ts';

test('SSE framing: data: <json> and a blank line per event, data: [DONE] last', async (t) => {
  const { url } = await startServer(t, { tokens_per_delta: 2 });
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'frame' }], max_tokens: 5, stream: true, stream_options: { include_usage: true } }),
  });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const body = await res.text();
  t.true(body.endsWith('data: [DONE]\n\n'));
  const events = body.split('\n\n').filter((e) => e !== '');
  t.true(events.every((e) => e.startsWith('data: ') && !e.slice(6).includes('\n')), 'one data line per event');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
  // role chunk, deltas of 2 + 2 + 1 tokens, usage chunk
  t.is(chunks.length, 5);
  t.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  t.deepEqual(chunks.slice(1, 4).map((c) => c.choices[0].delta.content.length), [2, 2, 1]);
  t.true(chunks.slice(0, 4).every((c) => c.usage === null), 'usage: null on every chunk but the last when include_usage');
  t.like(chunks[4], { choices: [], usage: { completion_tokens: 5 } });
});

test('without include_usage the stream has no usage chunk', async (t) => {
  const { url } = await startServer(t);
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', prompt: 'x', max_tokens: 3, stream: true }),
  });
  const events = (await res.text()).split('\n\n').filter((e) => e !== '');
  t.is(events.length, 4);
  t.false(events.slice(0, -1).some((e) => 'usage' in JSON.parse(e.slice(6))));
});

for (const stream of [true, false]) {
  test(`a client that disconnects aborts its engine request (${stream ? 'streaming' : 'non-streaming'})`, async (t) => {
    const { url, engine } = await startServer(t, { token_delay_ms: 20, max_model_len: 100_000 });
    const controller = new AbortController();
    const aborted = engine.nextAbort();
    const res = fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test-model', prompt: 'long', max_tokens: 10_000, stream }),
      signal: controller.signal,
    });
    res.catch(() => undefined); // the abort below rejects it
    if (stream) {
      const reader = (await res).body?.getReader();
      const first = await reader?.read();
      t.regex(new TextDecoder().decode(first?.value), /^data: /);
    } else {
      // Disconnect once the engine is generating (a fixed sleep is not enough on a loaded machine).
      while (engine.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    await t.notThrowsAsync(aborted);
    t.deepEqual(engine.aborted, [engine.requests[0]?.request_id]);
    t.is(engine.stats().num_requests_running, 0);
    const metrics = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
    t.is(sample(metrics, 'vllm:request_success_total', { model_name: 'test-model', finished_reason: 'abort' }), 1);
  });
}

test('/metrics: vLLM names, counted against the requests served', async (t) => {
  const { url, engine } = await startServer(t);
  const empty = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  t.is(sample(empty, 'vllm:prompt_tokens_total', { model_name: 'test-model' }), 0, 'series exist before traffic');
  let prompt = 0;
  let generated = 0;
  const lengths = [3, 1, 7, 4];
  for (const [i, max_tokens] of lengths.entries()) {
    const stream = i % 2 === 0;
    const res = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test-model', prompt: `prompt number ${i}`, max_tokens, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
    });
    const usage = stream
      ? JSON.parse((await res.text()).split('\n\n').at(-3)?.slice(6) ?? '{}').usage
      : ((await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    prompt += usage.prompt_tokens;
    generated += usage.completion_tokens;
  }
  const eos = await postJson(`${url}/v1/completions`, { model: 'test-model', prompt: 'eos@2', max_tokens: 9 });
  prompt += eos.json.usage.prompt_tokens;
  generated += eos.json.usage.completion_tokens;

  const res = await fetch(`${url}/metrics`);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  const m = parsePrometheus(text);
  const labels = { model_name: 'test-model' };
  t.is(sample(m, 'vllm:prompt_tokens_total', labels), prompt);
  t.is(sample(m, 'vllm:generation_tokens_total', labels), generated);
  t.is(sample(m, 'vllm:request_success_total', { ...labels, finished_reason: 'length' }), lengths.length);
  t.is(sample(m, 'vllm:request_success_total', { ...labels, finished_reason: 'stop' }), 1);
  t.is(sample(m, 'vllm:request_success_total', { ...labels, finished_reason: 'abort' }), 0);
  const n = lengths.length + 1;
  t.is(sample(m, 'vllm:time_to_first_token_seconds_count', labels), n);
  t.is(sample(m, 'vllm:e2e_request_latency_seconds_count', labels), n);
  t.is(sample(m, 'vllm:request_queue_time_seconds_count', labels), n);
  t.is(sample(m, 'vllm:request_queue_time_seconds_sum', labels), n * 0.002);
  // one gap per token after the first (the test engine sends one token per delta)
  t.is(sample(m, 'vllm:inter_token_latency_seconds_count', labels), generated - n);
  // TPOT only for requests with more than one token: all but max_tokens = 1
  t.is(sample(m, 'vllm:time_per_output_token_seconds_count', labels), n - 1);
  t.is(sample(m, 'vllm:time_to_first_token_seconds_bucket', { ...labels, le: '+Inf' }), n);
  t.true((sample(m, 'vllm:e2e_request_latency_seconds_sum', labels) ?? 0) >= (sample(m, 'vllm:time_to_first_token_seconds_sum', labels) ?? Infinity));
  t.is(sample(m, 'vllm:num_requests_running', labels), 0);
  t.is(sample(m, 'vllm:num_requests_waiting', labels), 0);
  t.is(sample(m, 'vllm:kv_cache_usage_perc', labels), 0);
  t.regex(text, /# TYPE fleetlab:migrations_total counter/);
  t.regex(text, /# TYPE fleetlab:migration_downtime_seconds histogram/);
  t.is(engine.requests.length, n);
});

test('/metrics gauges read the engine at scrape time; migrations are fed through ApiMetrics', async (t) => {
  const { url, server } = await startServer(t, { token_delay_ms: 30, max_model_len: 100_000 });
  const controller = new AbortController();
  const pending = fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', prompt: 'busy', max_tokens: 1000, stream: true }),
    signal: controller.signal,
  });
  await (await pending).body?.getReader().read();
  server.metrics.migration('test-model', 'committed', 0.004);
  server.metrics.migration('test-model', 'dst_out_of_memory');
  const m = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  controller.abort();
  t.is(sample(m, 'vllm:num_requests_running', { model_name: 'test-model' }), 1);
  t.is(sample(m, 'vllm:kv_cache_usage_perc', { model_name: 'test-model' }), 1 / 8);
  t.is(sample(m, 'fleetlab:migrations_total', { model_name: 'test-model', outcome: 'committed' }), 1);
  t.is(sample(m, 'fleetlab:migrations_total', { model_name: 'test-model', outcome: 'dst_out_of_memory' }), 1);
  t.is(sample(m, 'fleetlab:migration_downtime_seconds_count', { model_name: 'test-model' }), 1);
});

test('/tokenize and /detokenize round-trip through the model tokenizer', async (t) => {
  const { url } = await startServer(t);
  const tok = await postJson(`${url}/tokenize`, { model: 'test-model', prompt: 'héllo' });
  t.deepEqual(tok.json, { count: 6, max_model_len: 256, tokens: [...Buffer.from('héllo')] });
  const detok = await postJson(`${url}/detokenize`, { model: 'test-model', tokens: tok.json.tokens });
  t.is(detok.json.prompt, 'héllo');
});
