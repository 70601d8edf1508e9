// An engine whose waiting request cannot be admitted (a migration's pre-allocation holds the
// blocks) waits for the blocks instead of spinning: its loop used to look again in microtasks
// forever, so the event loop (timers, the RPC that would free the blocks) never ran again and
// its idle reports piled up (a real fleet under Llumnix migrations hung this way with 4 GB per
// instance). Freeing the reservation lets the request run.
import test from 'ava';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import { collect, privateModelCache } from './helpers.ts';

privateModelCache('blocked-engine');

test('blocked by a pre-allocation, the engine goes idle and waits; freeing the blocks runs the request', async (t) => {
  const e = await LLMEngine.create({ model: 'tiny', num_kv_blocks: 16, block_size_tokens: 16 });
  try {
    let idles = 0;
    e.onIdle(() => idles++);
    const held = e.reserveBlocks(14);
    t.truthy(held, 'the reservation took most of the cache');
    // 40 prompt tokens + 20 output need 4 blocks; 2 are left.
    const run = collect(e.generate({ request_id: 'w', prompt_token_ids: Array.from({ length: 40 }, (_, i) => i + 1), sampling: parseSamplingParams({ max_tokens: 20, temperature: 0, ignore_eos: true }) }));
    // A timer fires only if the loop yields to the event loop.
    await new Promise((r) => setTimeout(r, 200));
    t.is(e.load().waiting, 1, 'still waiting for blocks');
    t.true(idles <= 2, `the loop stopped instead of spinning (${idles} idle reports in 200 ms)`);
    e.releaseReservation(held!);
    const out = await run;
    t.is(out.ids.length, 20);
    t.is(out.finish, 'length');
  } finally {
    await e.shutdown();
  }
});
