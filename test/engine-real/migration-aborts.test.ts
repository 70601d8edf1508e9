// Abort paths of the live-migration protocol, on two instance servers in this process (real
// gRPC, real KV transfer): every abort leaves the request running on its source, unchanged.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LLMEngine, type LLMEngineOptions } from '../../backend/engine/llm-engine.ts';
import { parseSamplingParams } from '../../backend/engine/sampling-params.ts';
import type { GenerationDelta } from '../../backend/engine/types.ts';
import { startInstanceServer, type InstanceServer } from '../../backend/instance/instance-server.ts';
import { InstanceClient } from '../../backend/rpc/instance-client.ts';
import type { MigrateOutMessage } from '../../backend/rpc/messages.ts';

const cache = mkdtempSync(join(tmpdir(), 'fleetlab-aborts-'));
process.env['FLEETLAB_CACHE_DIR'] = cache;
test.after.always(() => rmSync(cache, { recursive: true, force: true }));

const sampling = parseSamplingParams({ max_tokens: 100, temperature: 0, ignore_eos: true });
const PROMPT = Array.from({ length: 40 }, (_, j) => (j * 19 + 4) % 500);

async function ids(stream: AsyncIterable<GenerationDelta>, onToken?: (n: number) => void): Promise<number[]> {
  const out: number[] = [];
  for await (const d of stream) {
    if (d.migrated_to !== undefined) throw new Error('the request migrated although the migration should abort');
    out.push(...d.token_ids);
    onToken?.(out.length);
  }
  return out;
}

async function pair(dstOptions: Omit<LLMEngineOptions, 'model'>) {
  const src = await LLMEngine.create({ model: 'tiny' });
  const dst = await LLMEngine.create({ model: 'tiny', ...dstOptions });
  const servers: InstanceServer[] = [await startInstanceServer(src, '127.0.0.1', 0), await startInstanceServer(dst, '127.0.0.1', 0)];
  const [s, d] = servers as [InstanceServer, InstanceServer];
  const client = new InstanceClient(`127.0.0.1:${s.port}`);
  const message = (over: Partial<MigrateOutMessage> = {}): MigrateOutMessage => ({
    dst_address: `127.0.0.1:${d.port}`, dst_kv_host: '127.0.0.1', dst_kv_port: d.kv_port, selector_json: '{"kind":"LCFS"}',
    draining: false, max_stages: 3, last_stage_max_blocks: 16, ...over,
  });
  const stop = async (): Promise<void> => {
    client.close();
    await Promise.all(servers.map((x) => x.stop()));
  };
  return { src, dst, client, message, stop };
}

async function expected(): Promise<number[]> {
  const e = await LLMEngine.create({ model: 'tiny' });
  try {
    return await ids(e.generate({ request_id: 'x', prompt_token_ids: PROMPT, sampling }));
  } finally {
    await e.shutdown();
  }
}

test('destination without free blocks: aborted-dst-no-memory, request unchanged on the source', async (t) => {
  const want = await expected();
  // 2 blocks of 16 tokens cannot take the KV of a 40-token prompt.
  const p = await pair({ num_kv_blocks: 2, max_model_len: 32 });
  try {
    let go: () => void;
    const decoding = new Promise<void>((r) => (go = r));
    const run = ids(p.client.generate({ request_id: 'x', prompt_token_ids: PROMPT, sampling }), (n) => n === 3 && go());
    await decoding;
    const reply = await p.client.migrateOut(p.message());
    t.is(reply.outcome, 'aborted-dst-no-memory');
    t.deepEqual(await run, want);
    t.is(p.dst.core.free_blocks, 2, 'nothing stays pre-allocated on the destination');
  } finally {
    await p.stop();
  }
});

test('too many stages: aborted-max-stages, the destination frees what it pre-allocated', async (t) => {
  const want = await expected();
  const p = await pair({});
  try {
    let go: () => void;
    const decoding = new Promise<void>((r) => (go = r));
    const run = ids(p.client.generate({ request_id: 'x', prompt_token_ids: PROMPT, sampling }), (n) => n === 3 && go());
    await decoding;
    // The last stage may start only with 0 blocks left, which never happens within 2 stages.
    const reply = await p.client.migrateOut(p.message({ max_stages: 2, last_stage_max_blocks: 0 }));
    t.is(reply.outcome, 'aborted-max-stages');
    t.deepEqual(await run, want);
    t.is(p.dst.core.free_blocks, p.dst.core.limits.total_blocks);
  } finally {
    await p.stop();
  }
});

test('nothing to migrate: no-request', async (t) => {
  const p = await pair({});
  try {
    t.is((await p.client.migrateOut(p.message())).outcome, 'no-request');
  } finally {
    await p.stop();
  }
});
