/**
 * The ideal core: the simulator's busiest path (arrivals, `load` dispatch on step reports,
 * vLLM 0.1.7's prefill-only / decode-only steps with block accounting, recompute preemption,
 * the fitted step prices) with every piece of state in preallocated typed arrays and no object
 * created after setup. It is not a simulator users run: it has no migration, no priorities,
 * no scaling and no records. It answers one question (docs/performance.md, "Tenth round"):
 * how much does a step cost more on 4,096 instances than on 16 when the fleet's hot state is a
 * few cache lines per instance and ~20 bytes per sequence, i.e. the least that any redesign of
 * `engine/` and `sim/` into arrays could reach.
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

// One row of doubles per instance: its whole scalar state in one cache line (slot 7 unused).
const ROW = 8;
const FREE = 0;
const RUNNING = 1;
const WAIT_HEAD = 2;
const WAIT_TAIL = 3;
const WAIT_COUNT = 4;
/** Blocks the waiting prompts need (the freeness formula's queued demand). */
const WAIT_BLOCKS = 5;
/** IDLE, START_QUEUED, DECODING, or k > 0: a prefill of k sequences in flight. */
const STEP = 6;
const IDLE = 0;
const START_QUEUED = -2;
const DECODING = -1;

// One slot per running sequence, in arrival order: request, tokens, generated, blocks, in this prefill.
const SLOT = 5;
const REQ = 0;
const TOKENS = 1;
const GENERATED = 2;
const BLOCKS = 3;
const IN_PREFILL = 4;

// Event payload = instance × 2 + kind; bands as the simulator's (step ends first, starts last).
const STEP_END = 0;
const STEP_START = 1;
const BAND = 2 ** 48;
const BAND_STEP_END = 0;
const BAND_ARRIVAL = 2;
const BAND_STEP_START = 4;

export function runIdeal(workload: IdealWorkload, instances: number, limits: IdealLimits, prices: IdealPrices): IdealResult {
  const n = workload.arrival_s.length;
  const { block_size_tokens: size, watermark_blocks: watermark, max_num_seqs: maxSeqs } = limits;
  const row = new Float64Array(instances * ROW);
  for (let i = 0; i < instances; i++) {
    row[i * ROW + FREE] = limits.total_blocks;
    row[i * ROW + WAIT_HEAD] = -1;
    row[i * ROW + WAIT_TAIL] = -1;
  }
  const slots = new Int32Array(instances * maxSeqs * SLOT);
  const nextWaiting = new Int32Array(n).fill(-1);
  const waitBlocks = new Int32Array(n);
  const generatedOf = new Int32Array(n);
  const firstToken = new Float64Array(n).fill(Number.NaN);
  const finishedAt = new Float64Array(n).fill(Number.NaN);
  const events = new EventHeap(2 * instances + 16);
  const dispatch = new DispatchHeap(instances);
  const blocksFor = (tokens: number): number => Math.ceil(tokens / size);
  let seq = 0;
  let count = 0;
  let finished = 0;
  let rejected = 0;
  let decodeSteps = 0;
  let prefillSteps = 0;
  let batchSum = 0;
  let preemptions = 0;
  let now = 0;

  const pushWaiting = (base: number, r: number, front: boolean): void => {
    const head = row[base + WAIT_HEAD] as number;
    if (head === -1) {
      row[base + WAIT_HEAD] = r;
      row[base + WAIT_TAIL] = r;
      nextWaiting[r] = -1;
    } else if (front) {
      nextWaiting[r] = head;
      row[base + WAIT_HEAD] = r;
    } else {
      nextWaiting[row[base + WAIT_TAIL] as number] = r;
      nextWaiting[r] = -1;
      row[base + WAIT_TAIL] = r;
    }
    row[base + WAIT_COUNT] = (row[base + WAIT_COUNT] as number) + 1;
    row[base + WAIT_BLOCKS] = (row[base + WAIT_BLOCKS] as number) + (waitBlocks[r] as number);
  };

  const queueStart = (instance: number): void => {
    row[instance * ROW + STEP] = START_QUEUED;
    events.push(now, BAND_STEP_START * BAND + seq++, instance * 2 + STEP_START);
  };

  const arrive = (r: number): void => {
    const prompt = workload.prompt_tokens[r] as number;
    const need = blocksFor(prompt);
    if (need > limits.total_blocks - watermark || prompt > limits.max_num_batched_tokens) {
      rejected++;
      return;
    }
    const instance = dispatch.best;
    dispatch.dispatched(instance);
    const base = instance * ROW;
    waitBlocks[r] = need;
    pushWaiting(base, r, false);
    if (row[base + STEP] === IDLE) queueStart(instance);
  };

  /** Inserts request r into the running slots in arrival (id) order; returns its slot. */
  const insertRunning = (first: number, running: number, r: number): number => {
    let at = running;
    while (at > 0 && (slots[first + (at - 1) * SLOT + REQ] as number) > r) at--;
    slots.copyWithin(first + (at + 1) * SLOT, first + at * SLOT, first + running * SLOT);
    return first + at * SLOT;
  };

  const startStep = (instance: number): void => {
    const base = instance * ROW;
    const first = instance * maxSeqs * SLOT;
    let free = row[base + FREE] as number;
    let running = row[base + RUNNING] as number;
    let admitted = 0;
    let tokens = 0;
    let squares = 0;
    for (;;) {
      const r = row[base + WAIT_HEAD] as number;
      if (r === -1) break;
      const length = (workload.prompt_tokens[r] as number) + (generatedOf[r] as number);
      const need = blocksFor(length);
      if (free - need < watermark || tokens + length > limits.max_num_batched_tokens || running + 1 > maxSeqs) break;
      free -= need;
      const next = nextWaiting[r] as number;
      row[base + WAIT_HEAD] = next;
      if (next === -1) row[base + WAIT_TAIL] = -1;
      row[base + WAIT_COUNT] = (row[base + WAIT_COUNT] as number) - 1;
      row[base + WAIT_BLOCKS] = (row[base + WAIT_BLOCKS] as number) - (waitBlocks[r] as number);
      const at = insertRunning(first, running, r);
      slots[at + REQ] = r;
      slots[at + TOKENS] = length;
      slots[at + GENERATED] = generatedOf[r] as number;
      slots[at + BLOCKS] = need;
      slots[at + IN_PREFILL] = 1;
      running++;
      admitted++;
      tokens += length;
      squares += length * length;
    }
    let duration_ms: number;
    if (admitted > 0) {
      prefillSteps++;
      row[base + STEP] = admitted;
      duration_ms = prices.step_overhead_ms + prices.prefill_base_ms + prices.prefill_per_token_ms * tokens + prices.prefill_per_token_squared_ms * squares;
    } else if (running === 0) {
      row[base + STEP] = IDLE;
      row[base + FREE] = free;
      return;
    } else {
      // vLLM 0.1.7: one free block per running sequence before every decode, else preempt the latest.
      let context = 0;
      let batch = 0;
      for (let i = 0; i < running; i++) {
        const at = first + i * SLOT;
        let selfPreempted = false;
        while (free < 1) {
          running--;
          const victim = first + running * SLOT;
          const r = slots[victim + REQ] as number;
          free += slots[victim + BLOCKS] as number;
          generatedOf[r] = slots[victim + GENERATED] as number;
          waitBlocks[r] = blocksFor(slots[victim + TOKENS] as number);
          pushWaiting(base, r, true);
          preemptions++;
          if (victim === at) {
            selfPreempted = true;
            break;
          }
        }
        if (selfPreempted) break;
        const held = slots[at + TOKENS] as number;
        if (held > (slots[at + BLOCKS] as number) * size) {
          free--;
          slots[at + BLOCKS] = (slots[at + BLOCKS] as number) + 1;
        }
        context += held;
        batch++;
      }
      decodeSteps++;
      batchSum += batch;
      row[base + STEP] = DECODING;
      duration_ms = prices.step_overhead_ms + prices.decode_base_ms + prices.decode_per_request_ms * batch + prices.decode_per_context_token_ms * context;
    }
    row[base + FREE] = free;
    row[base + RUNNING] = running;
    events.push(now + duration_ms / 1e3, BAND_STEP_END * BAND + seq++, instance * 2 + STEP_END);
  };

  const endStep = (instance: number): void => {
    const base = instance * ROW;
    const first = instance * maxSeqs * SLOT;
    const prefill = (row[base + STEP] as number) > 0;
    let free = row[base + FREE] as number;
    const running = row[base + RUNNING] as number;
    let kept = 0;
    for (let i = 0; i < running; i++) {
      const at = first + i * SLOT;
      if (!prefill || slots[at + IN_PREFILL] === 1) {
        slots[at + IN_PREFILL] = 0;
        const r = slots[at + REQ] as number;
        const generated = (slots[at + GENERATED] as number) + 1;
        if (Number.isNaN(firstToken[r])) firstToken[r] = now;
        if (generated >= (workload.output_tokens[r] as number)) {
          finishedAt[r] = now;
          free += slots[at + BLOCKS] as number;
          finished++;
          continue;
        }
        slots[at + GENERATED] = generated;
        slots[at + TOKENS] = (slots[at + TOKENS] as number) + 1;
      }
      if (kept !== i) slots.copyWithin(first + kept * SLOT, at, at + SLOT);
      kept++;
    }
    row[base + FREE] = free;
    row[base + RUNNING] = kept;
    const requests = kept + (row[base + WAIT_COUNT] as number);
    // Llumnix's dispatch freeness on the report this step publishes.
    dispatch.rescore(instance, requests === 0 ? Number.POSITIVE_INFINITY : (free - watermark - (row[base + WAIT_BLOCKS] as number)) / requests);
    row[base + STEP] = IDLE;
    if (requests > 0) queueStart(instance);
  };

  let nextArrival = 0;
  for (;;) {
    const haveArrival = nextArrival < n;
    if (events.size === 0 && !haveArrival) break;
    if (haveArrival) {
      const ta = workload.arrival_s[nextArrival] as number;
      if (events.size === 0 || ta < events.topTime || (ta === events.topTime && BAND_ARRIVAL * BAND < events.topOrder)) {
        now = ta;
        count++;
        arrive(nextArrival++);
        continue;
      }
    }
    now = events.topTime;
    const payload = events.topPayload;
    events.pop();
    count++;
    if ((payload & 1) === STEP_END) endStep(payload >> 1);
    else startStep(payload >> 1);
  }

  let ttft = 0;
  let e2e = 0;
  for (let r = 0; r < n; r++) {
    if (Number.isNaN(finishedAt[r])) continue;
    ttft += (firstToken[r] as number) - (workload.arrival_s[r] as number);
    e2e += (finishedAt[r] as number) - (workload.arrival_s[r] as number);
  }
  return {
    finished,
    rejected,
    events: count,
    decode_steps: decodeSteps,
    prefill_steps: prefillSteps,
    preemptions,
    mean_decode_batch: decodeSteps === 0 ? 0 : batchSum / decodeSteps,
    mean_ttft_s: finished === 0 ? 0 : ttft / finished,
    mean_e2e_s: finished === 0 ? 0 : e2e / finished,
    makespan_s: now,
  };
}
