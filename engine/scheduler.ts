import type { BlockManager } from './block-manager.ts';
import type { EngineSnapshot, StopCondition } from './engine-core.ts';
import type { EngineKind, EngineLimits } from './limits.ts';
import type { StepOutcome, StepPlan } from './plan.ts';
import type { Sequence } from './sequence.ts';

/**
 * What a step loop (the simulator's instance or the real engine) drives: plan a step, apply
 * its result, abort; plus the migration interface Llumnix needs. `EngineCore` implements it;
 * `vllm-v0` and `vllm-v1` differ only in `schedule()` and where a sequence joins the running
 * list.
 */
export interface Scheduler<S extends Sequence = Sequence> {
  readonly kind: EngineKind;
  readonly limits: EngineLimits;
  readonly blocks: BlockManager;
  readonly waiting: readonly S[];
  readonly running: readonly S[];
  readonly free_blocks: number;
  readonly killed: number;
  readonly idle: boolean;
  enqueue(seq: S): void;
  schedule(): StepPlan<S> | undefined;
  update(plan: StepPlan<S>, stop: StopCondition<S>, sampled?: readonly (number | undefined)[]): StepOutcome<S>;
  abort(seq: S): void;
  // Migration: PRE-ALLOC / ABORT on the destination, suspend / resume / release on the source, COMMIT.
  canReserve(n: number): boolean;
  reserve(n: number): number[] | undefined;
  releaseReservation(ids: readonly number[]): void;
  blockIds(seq: S): readonly number[];
  suspend(seq: S): void;
  resume(seq: S): void;
  releaseSuspended(seq: S): void;
  commitIncoming(seq: S, ids: readonly number[], computed_tokens?: number): void;
  snapshot(): EngineSnapshot;
  checkBlocks(): void;
}
