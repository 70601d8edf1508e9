// What an instance reports after each step: the load fields of policies/view.ts
// InstanceReport that the engine itself knows (Llumnix's instance info; the manager adds the
// instance id, its lifecycle state and the report time).
import type { EngineCore, Sequence } from '../../engine/index.ts';
import type { InstanceReport } from '../../policies/index.ts';

/** The load fields of InstanceReport that the engine itself knows. */
export type EngineLoad = Pick<
  InstanceReport,
  | 'total_blocks' | 'watermark_blocks' | 'free_blocks' | 'running' | 'waiting' | 'killed'
  | 'head_waiting_blocks' | 'all_waiting_blocks' | 'high_priority' | 'last_running_blocks'
>;

export function engineLoad<S extends Sequence>(core: EngineCore<S>, extraWaiting: readonly S[] = []): EngineLoad {
  const block = core.limits.block_size_tokens;
  const waiting = [...core.waiting, ...extraWaiting];
  let allWaiting = 0;
  let high = 0;
  for (const s of waiting) {
    allWaiting += s.num_tokens;
    if (s.priority === 'high') high++;
  }
  for (const s of core.running) if (s.priority === 'high') high++;
  const head = waiting[0];
  const last = core.running[core.running.length - 1];
  return {
    total_blocks: core.limits.total_blocks,
    watermark_blocks: core.limits.watermark_blocks,
    free_blocks: core.free_blocks,
    running: core.running.length,
    waiting: waiting.length,
    killed: core.killed,
    head_waiting_blocks: head === undefined ? 0 : head.num_tokens / block,
    all_waiting_blocks: allWaiting / block,
    high_priority: high,
    last_running_blocks: last === undefined ? 0 : last.blocks,
  };
}
