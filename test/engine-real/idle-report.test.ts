// An engine that runs out of work without a step (its only request aborted) says so, so an
// instance's load report does not keep the last step's counts until the next request.
import test from 'ava';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { collect, privateModelCache, until } from './helpers.ts';

privateModelCache('idle-report');

test('aborting the only request fires onIdle with nothing left running', async (t) => {
  const e = await LLMEngine.create({ model: 'tiny' });
  try {
    const loads: number[] = [];
    e.onIdle(() => loads.push(e.load().running + e.load().waiting));
    const controller = new AbortController();
    const out = await collect(e.generate({ request_id: 'a', prompt_token_ids: [1, 2, 3], sampling: parseSamplingParams({ max_tokens: 1500, temperature: 0, ignore_eos: true }) }, controller.signal), (n) => n === 3 && controller.abort());
    t.is(out.finish, 'abort');
    await until('onIdle fires', () => loads.length >= 1, 30_000);
    t.is(loads.at(-1), 0);
  } finally {
    await e.shutdown();
  }
});
