// A request inside the real engine: the engine core's Sequence (token ids, block table) plus
// what only a real model needs (its output side — sampling stream, text, stop conditions —
// and the client's queue).
import { Sequence, type SequenceInit } from '../../engine/index.ts';
import type { AsyncQueue } from './async-queue.ts';
import type { RequestOutput } from './sampling-output.ts';
import type { GenerationDelta } from './types.ts';

export interface RealSequenceInit extends SequenceInit {
  readonly request_id: string;
  readonly output: RequestOutput;
  readonly queue: AsyncQueue<GenerationDelta>;
}

export class RealSequence extends Sequence {
  readonly request_id: string;
  readonly output: RequestOutput;
  readonly queue: AsyncQueue<GenerationDelta>;
  /** When the scheduler first admitted it (engine seconds), for vLLM's queue time. */
  first_scheduled_s: number | undefined;
  /** Set when the client went away; applied between steps. */
  abort_requested = false;

  constructor(init: RealSequenceInit) {
    super(init);
    this.request_id = init.request_id;
    this.output = init.output;
    this.queue = init.queue;
  }

  get sampling(): RequestOutput['params'] {
    return this.output.params;
  }

  /** The token the next decode feeds the model (the last one appended). */
  get last_token(): number {
    const ids = this.token_ids as number[];
    return ids[ids.length - 1] as number;
  }
}
