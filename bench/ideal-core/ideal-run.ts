/**
 * What both layouts of the ideal core share (fleet.ts over typed arrays, fleet-objects.ts over
 * objects): the clock, the event heap with the simulator's bands, `load` dispatch, the event
 * loop that merges the sorted arrivals with the heap, the counters and the result. The layouts
 * differ only in where an instance's and a sequence's state live.
 */
import { DispatchHeap } from './dispatch-heap.ts';
import { EventHeap } from './event-heap.ts';

export interface IdealWorkload {
  /** Arrival times, ascending (s). */
  readonly arrival_s: Float64Array;
  readonly prompt_tokens: Int32Array;
  readonly output_tokens: Int32Array;
}

export interface IdealLimits {
  readonly total_blocks: number;
  readonly block_size_tokens: number;
  readonly watermark_blocks: number;
  readonly max_num_batched_tokens: number;
  readonly max_num_seqs: number;
}

/** sim/perf/fitted.ts's closed form, per-sequence quadratic term (ms). */
export interface IdealPrices {
  readonly step_overhead_ms: number;
  readonly decode_base_ms: number;
  readonly decode_per_request_ms: number;
  readonly decode_per_context_token_ms: number;
  readonly prefill_base_ms: number;
  readonly prefill_per_token_ms: number;
  readonly prefill_per_token_squared_ms: number;
}

export interface IdealResult {
  readonly finished: number;
  readonly rejected: number;
  /** Arrivals, step starts and step ends: what the simulator's kernel would run. */
  readonly events: number;
  readonly decode_steps: number;
  readonly prefill_steps: number;
  readonly preemptions: number;
  readonly mean_decode_batch: number;
  readonly mean_ttft_s: number;
  readonly mean_e2e_s: number;
  readonly makespan_s: number;
}

// Event payload = instance × 2 + kind; bands as the simulator's (step ends first, starts last).
const STEP_END = 0;
const STEP_START = 1;
const BAND = 2 ** 48;
const BAND_STEP_END = 0;
const BAND_ARRIVAL = 2;
const BAND_STEP_START = 4;

/** What a layout does at each event, by request index or instance id. */
export interface IdealHandlers {
  arrive(request: number): void;
  startStep(instance: number): void;
  endStep(instance: number): void;
}

export class IdealRun {
  now = 0;
  finished = 0;
  rejected = 0;
  decodeSteps = 0;
  prefillSteps = 0;
  batchSum = 0;
  preemptions = 0;
  readonly dispatch: DispatchHeap;
  readonly firstToken: Float64Array;
  readonly finishedAt: Float64Array;
  readonly #events: EventHeap;
  #seq = 0;
  #executed = 0;

  constructor(
    readonly workload: IdealWorkload,
    instances: number,
    readonly limits: IdealLimits,
    readonly prices: IdealPrices,
  ) {
    const n = workload.arrival_s.length;
    this.dispatch = new DispatchHeap(instances);
    this.firstToken = new Float64Array(n).fill(Number.NaN);
    this.finishedAt = new Float64Array(n).fill(Number.NaN);
    this.#events = new EventHeap(2 * instances + 16);
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.limits.block_size_tokens);
  }

  /**
   * Whether a request can never be served, as the simulator's `admissionError` (engine/create.ts)
   * decides for vllm-v0: its prompt and output need more blocks than above the watermark (it
   * would end preempting itself and block its queue), or its prompt is over the token cap.
   */
  rejects(request: number): boolean {
    const { total_blocks, watermark_blocks, max_num_batched_tokens } = this.limits;
    const prompt = this.workload.prompt_tokens[request] as number;
    const output = this.workload.output_tokens[request] as number;
    return this.blocksFor(prompt + output) > total_blocks - watermark_blocks || prompt > max_num_batched_tokens;
  }

  queueStart(instance: number): void {
    this.#events.push(this.now, BAND_STEP_START * BAND + this.#seq++, instance * 2 + STEP_START);
  }

  queueEnd(instance: number, duration_ms: number): void {
    this.#events.push(this.now + duration_ms / 1e3, BAND_STEP_END * BAND + this.#seq++, instance * 2 + STEP_END);
  }

  prefillMs(tokens: number, squares: number): number {
    const p = this.prices;
    this.prefillSteps++;
    return p.step_overhead_ms + p.prefill_base_ms + p.prefill_per_token_ms * tokens + p.prefill_per_token_squared_ms * squares;
  }

  decodeMs(batch: number, context: number): number {
    const p = this.prices;
    this.decodeSteps++;
    this.batchSum += batch;
    return p.step_overhead_ms + p.decode_base_ms + p.decode_per_request_ms * batch + p.decode_per_context_token_ms * context;
  }

  /** A sequence produced a token; true when it was its last. */
  token(request: number, generated: number): boolean {
    if (Number.isNaN(this.firstToken[request])) this.firstToken[request] = this.now;
    if (generated < (this.workload.output_tokens[request] as number)) return false;
    this.finishedAt[request] = this.now;
    this.finished++;
    return true;
  }

  /**
   * The report a step end publishes: Llumnix's dispatch freeness (A − ΣQ) / (R + Q), +∞ when
   * empty. ΣQ is the waiting tokens over the block size, unrounded, as the simulator's report
   * computes it (SimReport.fill, policies/load/freeness.ts): rounding each prompt up to whole
   * blocks ranks instances differently and the dispatch would diverge from the simulator's.
   */
  report(instance: number, free: number, requests: number, waitingTokens: number): void {
    const queued = waitingTokens / this.limits.block_size_tokens;
    this.dispatch.rescore(instance, requests === 0 ? Number.POSITIVE_INFINITY : (free - this.limits.watermark_blocks - queued) / requests);
  }

  /** Runs every event in (time, band, sequence) order until no arrival and no step is left. */
  drive(handlers: IdealHandlers): IdealResult {
    const arrivals = this.workload.arrival_s;
    const events = this.#events;
    const n = arrivals.length;
    let nextArrival = 0;
    for (;;) {
      const haveArrival = nextArrival < n;
      if (events.size === 0 && !haveArrival) break;
      this.#executed++;
      if (haveArrival) {
        const ta = arrivals[nextArrival] as number;
        if (events.size === 0 || ta < events.topTime || (ta === events.topTime && BAND_ARRIVAL * BAND < events.topOrder)) {
          this.now = ta;
          handlers.arrive(nextArrival++);
          continue;
        }
      }
      this.now = events.topTime;
      const payload = events.topPayload;
      events.pop();
      if ((payload & 1) === STEP_END) handlers.endStep(payload >> 1);
      else handlers.startStep(payload >> 1);
    }
    return this.#result();
  }

  #result(): IdealResult {
    const arrivals = this.workload.arrival_s;
    let ttft = 0;
    let e2e = 0;
    for (let r = 0; r < arrivals.length; r++) {
      if (Number.isNaN(this.finishedAt[r])) continue;
      ttft += (this.firstToken[r] as number) - (arrivals[r] as number);
      e2e += (this.finishedAt[r] as number) - (arrivals[r] as number);
    }
    const finished = this.finished;
    return {
      finished,
      rejected: this.rejected,
      events: this.#executed,
      decode_steps: this.decodeSteps,
      prefill_steps: this.prefillSteps,
      preemptions: this.preemptions,
      mean_decode_batch: this.decodeSteps === 0 ? 0 : this.batchSum / this.decodeSteps,
      mean_ttft_s: finished === 0 ? 0 : ttft / finished,
      mean_e2e_s: finished === 0 ? 0 : e2e / finished,
      makespan_s: this.now,
    };
  }
}
