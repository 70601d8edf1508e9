import type { StepRecord } from './records.ts';

/** steps.csv columns: one row per engine step of one instance, in the order steps ended. */
export const STEP_COLUMNS: readonly (keyof StepRecord)[] = [
  'start_s', 'instance', 'duration_s', 'prefill_seqs', 'prefill_tokens', 'decode_seqs', 'context_tokens', 'preemptions',
];
