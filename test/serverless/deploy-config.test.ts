// ServerlessLLM's deploy JSON (sllm-cli deploy --config): one schema for `fleetlab deploy`, the
// serverless fleet's POST /register and the simulator's `models` entries; a mistake names the
// field, the value and what was expected.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/index.ts';
import { parseDeployConfig, parseDeployJson } from '../../config/serverless-deploy.ts';
import { createApiServer } from '../../backend/api/server.ts';
import { registerAdminRoutes } from '../../backend/serverless/admin-routes.ts';
import { ServerlessFleet } from '../../backend/serverless/manager.ts';
import { parseServerlessConfig } from '../../sim/serverless/config.ts';

/** Upstream's examples/live_migration/config-qwen-3b.json, as its documentation shows it. */
const UPSTREAM_3B = {
  model: 'Qwen/Qwen2.5-3B-Instruct',
  backend: 'transformers',
  num_gpus: 1,
  auto_scaling_config: { metric: 'concurrency', target: 1, min_instances: 0, max_instances: 10, keep_alive: 0 },
  backend_config: { pretrained_model_name_or_path: 'Qwen/Qwen2.5-3B-Instruct', device_map: 'auto', torch_dtype: 'float16', hf_model_class: 'AutoModelForCausalLM' },
  placement_config: { local_disk: ['0', '1'], memory_pool: ['0', '1'] },
  router_config: { migration_delta: 20 },
};

function issue(t: import('ava').ExecutionContext, fn: () => unknown): ConfigError {
  const err = t.throws(fn, { instanceOf: ConfigError });
  return err!;
}

test("upstream's example config parses; node ids as strings become numbers", (t) => {
  const c = parseDeployConfig(UPSTREAM_3B);
  t.is(c.model, 'Qwen/Qwen2.5-3B-Instruct');
  t.deepEqual(c.placement_config.local_disk, [0, 1]);
  t.is(c.router_config.migration_delta, 20);
  t.is(c.backend_config.pretrained_model_name_or_path, 'Qwen/Qwen2.5-3B-Instruct');
});

test('defaults are upstream’s: concurrency 1, 0..10 instances, keep_alive 0, migration_delta 20', (t) => {
  const c = parseDeployConfig({ model: 'm' });
  t.deepEqual(c.auto_scaling_config, { metric: 'concurrency', target: 1, min_instances: 0, max_instances: 10, keep_alive: 0 });
  t.is(c.router_config.migration_delta, 20);
  t.is(c.num_gpus, 1);
});

for (const [name, input, option] of [
  ['model missing', { num_gpus: 1 }, 'model'],
  ['num_gpus 0', { model: 'm', num_gpus: 0 }, 'num_gpus'],
  ['target as a string', { model: 'm', auto_scaling_config: { target: '2' } }, 'auto_scaling_config.target'],
  ['keep_alive negative', { model: 'm', auto_scaling_config: { keep_alive: -1 } }, 'auto_scaling_config.keep_alive'],
  ['min_instances above max_instances', { model: 'm', auto_scaling_config: { min_instances: 3, max_instances: 2 } }, 'auto_scaling_config.min_instances'],
  ['a node id that is no number', { model: 'm', placement_config: { local_disk: ['node-a'] } }, 'placement_config.local_disk[0]'],
  ['migration_delta negative', { model: 'm', router_config: { migration_delta: -5 } }, 'router_config.migration_delta'],
  ['an unknown backend', { model: 'm', backend: 'tensorrt' }, 'backend'],
] as const) {
  test(`bad deploy config (${name}) names ${option}`, (t) => {
    const err = issue(t, () => parseDeployConfig(input));
    t.is(err.option, option, err.message);
  });
}

test('a misspelt top-level field is named', (t) => {
  const err = issue(t, () => parseDeployConfig({ model: 'm', num_gpu: 1 }));
  t.regex(err.message, /num_gpu/);
});

test('a file that is not JSON is named with the parser’s reason', (t) => {
  const err = issue(t, () => parseDeployJson('{"model": "m",', 'config.json'));
  t.regex(err.message, /config\.json/);
  t.regex(err.message, /valid JSON/);
});

test('the simulator takes the same deploy config (object or file) as a models entry', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlab-deploy-'));
  try {
    const file = join(dir, 'config-qwen-1.5b.json');
    writeFileSync(file, JSON.stringify({ model: 'Qwen/Qwen2.5-1.5B-Instruct', placement_config: { local_disk: ['0'], memory_pool: ['0'] }, auto_scaling_config: { keep_alive: 5 } }));
    const c = parseServerlessConfig({
      cluster: { nodes: 2, gpus_per_node: 1 },
      models: [{ deploy_config: UPSTREAM_3B, params_b: 3.09 }, { deploy_config: file, params_b: 1.54 }],
    });
    t.deepEqual(c.models.map((m) => [m.name, m.ssd_nodes, m.dram_nodes, m.auto_scaling_config.keep_alive]), [
      ['Qwen/Qwen2.5-3B-Instruct', [0, 1], [0, 1], 0],
      ['Qwen/Qwen2.5-1.5B-Instruct', [0], [0], 5],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the simulator names a bad deploy config’s field too', (t) => {
  const err = issue(t, () => parseServerlessConfig({ cluster: { nodes: 1, gpus_per_node: 1 }, models: [{ deploy_config: { model: 'm', num_gpus: -1 }, params_b: 1 }] }));
  t.is(err.option, 'num_gpus');
});

test('POST /register refuses a bad config with a 400 naming the field; POST /delete of an unknown model is a 404', async (t) => {
  const fleet = new ServerlessFleet({ nodes: [{ id: 0, gpus: 1 }] });
  const api = createApiServer({ router: fleet });
  registerAdminRoutes(api.app, fleet);
  try {
    const bad = await api.app.inject({ method: 'POST', url: '/register', payload: { model: 'm', auto_scaling_config: { target: 0 } } });
    t.is(bad.statusCode, 400);
    t.regex(bad.json<{ error: { message: string } }>().error.message, /auto_scaling_config\.target/);
    const far = await api.app.inject({ method: 'POST', url: '/register', payload: { model: 'm', placement_config: { local_disk: [3] } } });
    t.is(far.statusCode, 400);
    t.regex(far.json<{ error: { message: string } }>().error.message, /placement_config\.local_disk names node 3/);
    const gone = await api.app.inject({ method: 'POST', url: '/delete', payload: { model: 'nope' } });
    t.is(gone.statusCode, 404);
    const models = await api.app.inject({ method: 'GET', url: '/v1/models' });
    t.deepEqual(models.json<{ data: unknown[] }>().data, []);
  } finally {
    await api.close();
    await fleet.stop();
  }
});
