/**
 * The two-node live-migration scenario of ServerlessLLM's documentation, in the simulator:
 * Qwen2.5-3B is stored on both nodes, Qwen2.5-1.5B only on node 0 (both pre-loaded into
 * each node's 10 GB pinned pool, as the example's placement configs do). A 1024-token 3B
 * request starts on node 0; 3 s later a 64-token 1.5B request arrives. Without migration
 * (storage-aware placement that only considers nodes holding the checkpoint) the 1.5B request
 * waits for the 3B inference; with migration the 3B inference moves to node 1 and the 1.5B
 * request is served at once.
 */
import { formatMigrationEvent, runServerless, type ServerlessConfigInput, type ServerlessRunResult } from '../../sim/serverless/index.ts';

export const QWEN_3B = 'Qwen/Qwen2.5-3B-Instruct';
export const QWEN_1_5B = 'Qwen/Qwen2.5-1.5B-Instruct';

export function liveMigrationConfig(migration: boolean): ServerlessConfigInput {
  return {
    seed: 0,
    cluster: { nodes: 2, gpus_per_node: 1, dram_cache_gb: 10 },
    placement: migration ? { kind: 'locality-migrate' } : { kind: 'locality-wait' },
    migration: { delta_tokens: 20 },
    models: [
      // Qwen2.5-3B: 3.09 B parameters, 36 layers, 2 KV heads of 128.
      { name: QWEN_3B, params_b: 3.09, kv: { layers: 36, kv_heads: 2, head_dim: 128 }, ssd_nodes: [0, 1], dram_nodes: [0, 1] },
      // Qwen2.5-1.5B: 1.54 B parameters, 28 layers, 2 KV heads of 128.
      { name: QWEN_1_5B, params_b: 1.54, kv: { layers: 28, kv_heads: 2, head_dim: 128 }, ssd_nodes: [0], dram_nodes: [0] },
    ],
  };
}

export interface LiveMigrationOutcome {
  readonly result: ServerlessRunResult;
  readonly lines: readonly string[];
  /** Completion time of each request, seconds. */
  readonly finish_s: { readonly large: number; readonly small: number };
}

export function liveMigrationExample(options: { migration: boolean }): LiveMigrationOutcome {
  const result = runServerless(liveMigrationConfig(options.migration), [
    { id: 0, model: QWEN_3B, arrival_s: 0, prompt_tokens: 32, output_tokens: 1024 },
    { id: 1, model: QWEN_1_5B, arrival_s: 3, prompt_tokens: 24, output_tokens: 64 },
  ]);
  const [large, small] = result.requests;
  if (large === undefined || small === undefined) throw new Error('the example lost a request');
  const lines: string[] = [`live migration ${options.migration ? 'enabled (locality-migrate)' : 'disabled (locality-wait)'}`];
  for (const load of result.loads) {
    lines.push(`[${load.start_s.toFixed(3).padStart(8)} s] load ${load.model} on node ${load.node} from ${load.tier} (${load.purpose}), ready at ${load.end_s.toFixed(3)} s`);
  }
  for (const event of result.migrations) lines.push(formatMigrationEvent(event));
  lines.sort((a, b) => (a.startsWith('[') && b.startsWith('[') ? parseFloat(a.slice(1)) - parseFloat(b.slice(1)) : 0));
  for (const r of [large, small]) {
    const nodes = [...new Set(r.token_instances)].join(' → ');
    lines.push(
      `${r.model}: arrived ${r.arrival_s.toFixed(1)} s, first token ${(r.first_token_s ?? NaN).toFixed(3)} s, finished ${(r.finish_s ?? NaN).toFixed(3)} s, ${r.generated} tokens on instance(s) ${nodes}`,
    );
  }
  const order = (small.finish_s ?? Infinity) < (large.finish_s ?? Infinity) ? `${QWEN_1_5B} finished first` : `${QWEN_3B} finished first`;
  lines.push(order);
  return { result, lines, finish_s: { large: large.finish_s ?? NaN, small: small.finish_s ?? NaN } };
}
