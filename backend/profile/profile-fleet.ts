// Profiles a fleet of instance processes the way it will serve: every engine steps at once
// (they share the machine's cores), each in its own process with its load reports and output
// streams going over gRPC. The table then holds step times at the fleet's concurrency, and the
// client side of the grid measures the dispatch and delivery latency around the engines.
import { Fleet } from '../manager/fleet.ts';
import { loadAddon } from '../native/load-addon.ts';
import { readModelFolder, resolveModelDir } from '../model/index.ts';
import { gridBlocks, gridBudget, measureGrid } from './profile-grid.ts';
import { gridOf, machineMeta, type ProfileOptions, type ProfileResult } from './profile-engine.ts';

export interface FleetProfileOptions extends ProfileOptions {
  /** Instance processes stepping at once (the fleet the profile is for). */
  readonly instances: number;
}

export async function profileFleet(opts: FleetProfileOptions, onProgress?: (done: number, total: number) => void): Promise<ProfileResult> {
  const grid = gridOf(opts);
  const block = opts.block_size_tokens ?? 16;
  // Round-robin sends the i-th copy of every point to instance i.
  const fleet = await Fleet.start({
    instances: opts.instances, scheduler: { dispatch: { kind: 'round-robin' } },
    engine: {
      model: opts.model, threads: opts.threads ?? 1, block_size_tokens: block, enable_prefix_caching: false,
      num_kv_blocks: gridBlocks(grid, block), max_num_batched_tokens: gridBudget(grid), max_num_seqs: Math.max(...grid.decode_batch_sizes),
    },
  });
  try {
    const { arch } = await readModelFolder(await resolveModelDir(opts.model));
    // The instances run on this machine with the runner's automatic kernel choice.
    const kernel = loadAddon().cpuFeatures().best;
    const { rows, frontend, non_forward_ms } = await measureGrid(
      { generate: (r) => fleet.generate(r), onStep: (l) => fleet.onEngineStep(l), copies: opts.instances, vocab_size: arch.vocab_size },
      grid,
      onProgress,
    );
    const meta = machineMeta({
      model: opts.model, arch, kernel, threads: opts.threads ?? 1, block_size_tokens: block,
      repeats: grid.repeats, engines: opts.instances, where: `${opts.instances} instance processes stepping at once, reports and streams over gRPC`,
      measured: 'whole engine steps (schedule + forward + sampling + update) inside the instance processes, median of repeats over all instances; p10/p90 beside',
    });
    return { rows, meta, frontend, non_forward_ms };
  } finally {
    await fleet.stop();
  }
}
