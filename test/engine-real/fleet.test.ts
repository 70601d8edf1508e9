// The real fleet on 127.0.0.1: two instance processes of the tiny model behind gRPC, the
// policies/ dispatch deciding from their step reports. Outputs must equal one engine's.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMEngine } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta } from '../../backend/engine/types.ts';
import { Fleet } from '../../backend/manager/fleet.ts';
import { alive } from './helpers.ts';

const cache = mkdtempSync(join(tmpdir(), 'fleetlab-fleet-'));
process.env['FLEETLAB_CACHE_DIR'] = cache;
test.after.always(() => rmSync(cache, { recursive: true, force: true }));

const sampling = parseSamplingParams({ max_tokens: 8, temperature: 0, ignore_eos: true });

async function ids(stream: AsyncIterable<GenerationDelta>): Promise<{ ids: number[]; finish: string | undefined }> {
  const out: number[] = [];
  let finish: string | undefined;
  for await (const d of stream) {
    out.push(...d.token_ids);
    finish = d.finish_reason ?? finish;
  }
  return { ids: out, finish };
}

test('two instance processes serve round-robin dispatched requests with the outputs of one engine', async (t) => {
  const prompts = Array.from({ length: 6 }, (_, i) => Array.from({ length: 4 + i }, (_, j) => (i * 41 + j * 7 + 1) % 500));
  const single = await LLMEngine.create({ model: 'tiny' });
  const expected = await Promise.all(prompts.map((p, i) => ids(single.generate({ request_id: `s${i}`, prompt_token_ids: p, sampling }))));
  await single.shutdown();

  const fleet = await Fleet.start({ instances: 2, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'round-robin' } } });
  const pids = [...fleet.pids];
  try {
    const got = await Promise.all(prompts.map((p, i) => ids(fleet.generate({ request_id: `f${i}`, prompt_token_ids: p, sampling }))));
    t.deepEqual(got, expected);
    t.deepEqual([...fleet.dispatched], [3, 3], 'round-robin split the six requests');
    t.true(fleet.view().reports_total > 0, 'instances pushed step reports');
  } finally {
    await fleet.stop();
  }
  t.false(pids.some(alive), 'every instance process is gone');
});

test('an aborted request on a real instance ends with abort; the instance keeps serving', async (t) => {
  const fleet = await Fleet.start({ instances: 1, engine: { model: 'tiny' }, scheduler: { dispatch: { kind: 'load' } } });
  try {
    const controller = new AbortController();
    const long = parseSamplingParams({ max_tokens: 1500, temperature: 0, ignore_eos: true });
    let n = 0;
    let finish: string | undefined;
    for await (const d of fleet.generate({ request_id: 'a', prompt_token_ids: [1, 2, 3], sampling: long }, controller.signal)) {
      n += d.token_ids.length;
      finish = d.finish_reason ?? finish;
      if (n >= 3 && !controller.signal.aborted) controller.abort();
    }
    t.is(finish, 'abort');
    const after = await ids(fleet.generate({ request_id: 'b', prompt_token_ids: [4, 5], sampling }));
    t.is(after.ids.length, 8);
  } finally {
    await fleet.stop();
  }
});
