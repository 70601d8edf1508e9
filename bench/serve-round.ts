// Where one round of bench:serve section 2 spends its wall time (table 2c), from the engine's
// step timings: the engine alone gets all its streams at once, while requests that come over
// HTTP and gRPC reach the engine one by one, so a round through the API starts later, admits
// its requests over several steps, and ends when the last token has crossed back to the client.
import type { StepTiming } from '../backend/engine/llm-engine.ts';

export interface RoundTimeline {
  /** The round starts → the engine's first step starts. */
  readonly to_first_step_ms: number;
  /** The first step starts → the last step that admitted a request (a prefill) starts. */
  readonly admission_ms: number;
  readonly steps: number;
  /** Σ of the steps' own time (schedule, forward pass, sampling, update). */
  readonly step_ms: number;
  /** Σ of the engine's idle time between two steps of the round. */
  readonly between_steps_ms: number;
  /** The last step ends → the round ends (the last token and the stream's end reach the client). */
  readonly after_last_step_ms: number;
  readonly wall_ms: number;
}

/** `start_ms`, `end_ms` and the steps' `started_unix_ms` are on the same clock (Unix ms). */
export function roundTimeline(start_ms: number, end_ms: number, steps: readonly StepTiming[]): RoundTimeline {
  if (steps.length === 0) throw new RangeError('roundTimeline: a round without engine steps');
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  let lastAdmitting = first;
  let step_ms = 0;
  let between_steps_ms = 0;
  for (const [i, s] of steps.entries()) {
    step_ms += s.step_ms;
    if (s.prefill_seqs > 0) lastAdmitting = s;
    if (i > 0) between_steps_ms += s.started_unix_ms - (steps[i - 1]!.started_unix_ms + steps[i - 1]!.step_ms);
  }
  return {
    to_first_step_ms: first.started_unix_ms - start_ms,
    admission_ms: lastAdmitting.started_unix_ms - first.started_unix_ms,
    steps: steps.length,
    step_ms,
    between_steps_ms,
    after_last_step_ms: end_ms - (last.started_unix_ms + last.step_ms),
    wall_ms: end_ms - start_ms,
  };
}
