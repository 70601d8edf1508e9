// Requests reach an instance process as messages on one Submits stream per client
// (instance-client.ts): several run at once and answer as the engine alone does, a request the
// engine refuses fails with the engine's reason, and the stream keeps serving after a refusal.
import test from 'ava';
import { startInstanceProcess } from '../../backend/manager/instance-process.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import { collect, oneEngineOutputs, privateModelCache } from './helpers.ts';

privateModelCache('submits');

const sampling = { max_tokens: 6, temperature: 0, top_p: 1, top_k: -1, stop: [], stop_token_ids: [], ignore_eos: true };
const prompts = [[5, 6, 7], [8, 9], [10, 11, 12, 13]];

test('requests on one Submits stream: outputs as the engine alone, a refusal names its reason, the stream goes on', async (t) => {
  const proc = await startInstanceProcess({ model: 'tiny', threads: 1, seed: 0 });
  const client = new InstanceClient(`${proc.host}:${proc.port}`);
  t.teardown(async () => {
    client.close();
    await proc.stop();
  });
  const expected = await oneEngineOutputs(prompts, sampling, { engine: { seed: 0 }, id_prefix: 'ref' });
  const outs = await Promise.all(prompts.map((p, i) => collect(client.generate({ request_id: `ref${i}`, prompt_token_ids: p, sampling }))));
  t.deepEqual(outs.map((o) => o.ids), expected.map((o) => o.ids));
  const tooLong = { request_id: 'too-long', prompt_token_ids: [1, 2, 3], sampling: { ...sampling, max_tokens: proc.max_model_len } };
  await t.throwsAsync(collect(client.generate(tooLong)), { message: /too-long/ });
  const after = await collect(client.generate({ request_id: 'ref0', prompt_token_ids: prompts[0]!, sampling }));
  t.deepEqual(after.ids, expected[0]!.ids, 'the same stream serves the next request');
});
