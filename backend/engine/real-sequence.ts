// A request inside the real engine: the engine core's Sequence (token ids, block table) plus
// what only a real model needs (sampling stream, output processing, the client's queue).
import { Sequence, type SequenceInit } from '../../engine/index.ts';
import type { AsyncQueue } from './async-queue.ts';
import type { OutputProcessor } from './output-processor.ts';
import type { SamplingRng } from './sampling-rng.ts';
import type { GenerationDelta, SamplingParams } from './types.ts';

export interface RealSequenceInit extends SequenceInit {
  readonly request_id: string;
  readonly sampling: SamplingParams;
  readonly rng: SamplingRng;
  readonly output: OutputProcessor;
  readonly queue: AsyncQueue<GenerationDelta>;
}

export class RealSequence extends Sequence {
  readonly request_id: string;
  readonly sampling: SamplingParams;
  readonly rng: SamplingRng;
  readonly output: OutputProcessor;
  readonly queue: AsyncQueue<GenerationDelta>;
  /** When the scheduler first admitted it (engine seconds), for vLLM's queue time. */
  first_scheduled_s: number | undefined;
  /** Set when the client went away; applied between steps. */
  abort_requested = false;

  constructor(init: RealSequenceInit) {
    super(init);
    this.request_id = init.request_id;
    this.sampling = init.sampling;
    this.rng = init.rng;
    this.output = init.output;
    this.queue = init.queue;
  }

  /** The token the next decode feeds the model (the last one appended). */
  get last_token(): number {
    const ids = this.token_ids as number[];
    return ids[ids.length - 1] as number;
  }
}
