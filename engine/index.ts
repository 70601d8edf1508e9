/**
 * fleetlab engine — the brain of one instance, shared by the simulator and the real backend.
 * Pure: no clock, no I/O, no imports from sim/ or backend/. A scheduler plans a step (prefill
 * chunks + decodes) over sequences and real KV block ids; an executor runs or prices it.
 * See docs/engine.md.
 */
export { BlockManager, NO_BLOCK_ID } from './block-manager.ts';
export { chainedTokenHash, type PrefixIdentity } from './block-hash.ts';
export { admissionError, createEngine, maxModelLen } from './create.ts';
export { EngineCore, type EngineOptions, type EngineSnapshot, type StopCondition } from './engine-core.ts';
export { EngineInvariantError } from './errors.ts';
export type { Scheduler } from './scheduler.ts';
export { blocksFor, ENGINE_KINDS, type EngineKind, type EngineLimits, PREFILL_TOKEN_BUDGETS, type PrefillTokenBudget } from './limits.ts';
export { batchTokens, planIncludes, planSequences, type BatchTokens, type DecodeItem, type PrefillChunk, type StepBatch, type StepOutcome, type StepPlan } from './plan.ts';
export { byArrival, Sequence, type BlockKey, type SequenceInit, type SequencePriority, type SequenceStatus } from './sequence.ts';
export { VllmV0Scheduler } from './vllm-v0.ts';
export { VllmV1Scheduler } from './vllm-v1.ts';
