/**
 * The ideal core's algorithm (fleet.ts: the same events, the same decisions, the same prices)
 * with its state in objects, as `engine/` and `sim/` hold it: an instance object with a running
 * list and a waiting list of sequence objects, one sequence object per request. The two
 * variants differ in layout only, so `bench:ideal --layout objects` measures what the layout
 * alone costs as the fleet grows (docs/performance.md, "The ideal core"). Its results equal
 * fleet.ts's (test/bench/ideal-core.test.ts).
 */
import { DispatchHeap } from './dispatch-heap.ts';
import { EventHeap } from './event-heap.ts';
import type { IdealLimits, IdealPrices, IdealResult, IdealWorkload } from './fleet.ts';

class IdealSequence {
  tokens: number;
  generated: number;
  blocks = 0;
  inPrefill = false;
  /** Blocks its prompt (and recomputed tokens) need while it waits. */
  waitBlocks: number;
  constructor(readonly request: number, prompt: number, need: number) {
    this.tokens = prompt;
    this.generated = 0;
    this.waitBlocks = need;
  }
}

class IdealInstance {
  free: number;
  running: IdealSequence[] = [];
  /** A FIFO whose front grows back for preempted sequences: items[head…]. */
  waiting: IdealSequence[] = [];
  waitingBlocks = 0;
  /** 0 idle, −2 start queued, −1 decoding, k > 0 a prefill of k in flight. */
  step = 0;
  constructor(readonly id: number, blocks: number) {
    this.free = blocks;
  }
}

const STEP_END = 0;
const STEP_START = 1;
const BAND = 2 ** 48;
const BAND_ARRIVAL = 2;
const BAND_STEP_START = 4;

export function runIdealObjects(workload: IdealWorkload, count: number, limits: IdealLimits, prices: IdealPrices): IdealResult {
  const n = workload.arrival_s.length;
  const { block_size_tokens: size, watermark_blocks: watermark, max_num_seqs: maxSeqs } = limits;
  const instances = Array.from({ length: count }, (_, i) => new IdealInstance(i, limits.total_blocks));
  const firstToken = new Float64Array(n).fill(Number.NaN);
  const finishedAt = new Float64Array(n).fill(Number.NaN);
  const events = new EventHeap(2 * count + 16);
  const dispatch = new DispatchHeap(count);
  const blocksFor = (tokens: number): number => Math.ceil(tokens / size);
  let seq = 0;
  let executed = 0;
  let finished = 0;
  let rejected = 0;
  let decodeSteps = 0;
  let prefillSteps = 0;
  let batchSum = 0;
  let preemptions = 0;
  let now = 0;

  const queueStart = (instance: IdealInstance): void => {
    instance.step = -2;
    events.push(now, BAND_STEP_START * BAND + seq++, instance.id * 2 + STEP_START);
  };

  const arrive = (r: number): void => {
    const prompt = workload.prompt_tokens[r] as number;
    const need = blocksFor(prompt);
    if (need > limits.total_blocks - watermark || prompt > limits.max_num_batched_tokens) {
      rejected++;
      return;
    }
    const instance = instances[dispatch.best] as IdealInstance;
    dispatch.dispatched(instance.id);
    instance.waiting.push(new IdealSequence(r, prompt, need));
    instance.waitingBlocks += need;
    if (instance.step === 0) queueStart(instance);
  };

  const startStep = (instance: IdealInstance): void => {
    const running = instance.running;
    let admitted = 0;
    let tokens = 0;
    let squares = 0;
    for (;;) {
      const head = instance.waiting[0];
      if (head === undefined) break;
      const need = blocksFor(head.tokens);
      if (instance.free - need < watermark || tokens + head.tokens > limits.max_num_batched_tokens || running.length + 1 > maxSeqs) break;
      instance.free -= need;
      instance.waiting.shift();
      instance.waitingBlocks -= head.waitBlocks;
      head.blocks = need;
      head.inPrefill = true;
      let at = running.length;
      while (at > 0 && (running[at - 1] as IdealSequence).request > head.request) at--;
      running.splice(at, 0, head);
      admitted++;
      tokens += head.tokens;
      squares += head.tokens * head.tokens;
    }
    let duration_ms: number;
    if (admitted > 0) {
      prefillSteps++;
      instance.step = admitted;
      duration_ms = prices.step_overhead_ms + prices.prefill_base_ms + prices.prefill_per_token_ms * tokens + prices.prefill_per_token_squared_ms * squares;
    } else if (running.length === 0) {
      instance.step = 0;
      return;
    } else {
      let context = 0;
      let batch = 0;
      for (let i = 0; i < running.length; i++) {
        const current = running[i] as IdealSequence;
        let selfPreempted = false;
        while (instance.free < 1) {
          const victim = running.pop() as IdealSequence;
          instance.free += victim.blocks;
          victim.waitBlocks = blocksFor(victim.tokens);
          instance.waiting.unshift(victim);
          instance.waitingBlocks += victim.waitBlocks;
          preemptions++;
          if (victim === current) {
            selfPreempted = true;
            break;
          }
        }
        if (selfPreempted) break;
        if (current.tokens > current.blocks * size) {
          instance.free--;
          current.blocks++;
        }
        context += current.tokens;
        batch++;
      }
      decodeSteps++;
      batchSum += batch;
      instance.step = -1;
      duration_ms = prices.step_overhead_ms + prices.decode_base_ms + prices.decode_per_request_ms * batch + prices.decode_per_context_token_ms * context;
    }
    events.push(now + duration_ms / 1e3, seq++, instance.id * 2 + STEP_END);
  };

  const endStep = (instance: IdealInstance): void => {
    const prefill = instance.step > 0;
    const running = instance.running;
    let kept = 0;
    for (let i = 0; i < running.length; i++) {
      const s = running[i] as IdealSequence;
      if (!prefill || s.inPrefill) {
        s.inPrefill = false;
        s.generated++;
        if (Number.isNaN(firstToken[s.request])) firstToken[s.request] = now;
        if (s.generated >= (workload.output_tokens[s.request] as number)) {
          finishedAt[s.request] = now;
          instance.free += s.blocks;
          finished++;
          continue;
        }
        s.tokens++;
      }
      running[kept++] = s;
    }
    running.length = kept;
    const requests = kept + instance.waiting.length;
    dispatch.rescore(instance.id, requests === 0 ? Number.POSITIVE_INFINITY : (instance.free - watermark - instance.waitingBlocks) / requests);
    instance.step = 0;
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
        executed++;
        arrive(nextArrival++);
        continue;
      }
    }
    now = events.topTime;
    const payload = events.topPayload;
    events.pop();
    executed++;
    const instance = instances[payload >> 1] as IdealInstance;
    if ((payload & 1) === STEP_END) endStep(instance);
    else startStep(instance);
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
    events: executed,
    decode_steps: decodeSteps,
    prefill_steps: prefillSteps,
    preemptions,
    mean_decode_batch: decodeSteps === 0 ? 0 : batchSum / decodeSteps,
    mean_ttft_s: finished === 0 ? 0 : ttft / finished,
    mean_e2e_s: finished === 0 ? 0 : e2e / finished,
    makespan_s: now,
  };
}
