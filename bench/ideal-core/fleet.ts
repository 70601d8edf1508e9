/**
 * The ideal core: the simulator's busiest path (arrivals, `load` dispatch on step reports,
 * vLLM 0.1.7's prefill-only / decode-only steps with block accounting, recompute preemption,
 * the fitted step prices) with every piece of state in preallocated typed arrays and no object
 * created after setup. It is not a simulator users run: it has no migration, no priorities,
 * no scaling and no records. It answers one question (docs/performance.md, "Eleventh round"):
 * how much does a step cost more on 4,096 instances than on 16 when the fleet's hot state is one
 * cache line per instance and 20 bytes per sequence, i.e. the least that any redesign of
 * `engine/` and `sim/` into arrays could reach.
 */
import { type IdealLimits, type IdealPrices, type IdealResult, IdealRun, type IdealWorkload } from './ideal-run.ts';

export type { IdealLimits, IdealPrices, IdealResult, IdealWorkload } from './ideal-run.ts';

// One row of doubles per instance: its whole scalar state in 64 bytes (slot 7 unused; the buffer is
// not aligned to a cache line, so a row spans one line or two).
const ROW = 8;
const FREE = 0;
const RUNNING = 1;
const WAIT_HEAD = 2;
const WAIT_TAIL = 3;
const WAIT_COUNT = 4;
/** Tokens of the waiting sequences (the freeness formula's queued demand, ΣQ = tokens / block size). */
const WAIT_TOKENS = 5;
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

export function runIdeal(workload: IdealWorkload, instances: number, limits: IdealLimits, prices: IdealPrices): IdealResult {
  const run = new IdealRun(workload, instances, limits, prices);
  const n = workload.arrival_s.length;
  const { block_size_tokens: size, watermark_blocks: watermark, max_num_seqs: maxSeqs } = limits;
  const row = new Float64Array(instances * ROW);
  for (let i = 0; i < instances; i++) {
    row[i * ROW + FREE] = limits.total_blocks;
    row[i * ROW + WAIT_HEAD] = -1;
    row[i * ROW + WAIT_TAIL] = -1;
  }
  const slots = new Int32Array(instances * maxSeqs * SLOT);
  // Per request: the waiting list's link, its tokens while waiting (prompt, plus those generated before a preemption), tokens generated before a preemption.
  const nextWaiting = new Int32Array(n).fill(-1);
  const waitTokens = new Int32Array(n);
  const generatedOf = new Int32Array(n);

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
    row[base + WAIT_TOKENS] = (row[base + WAIT_TOKENS] as number) + (waitTokens[r] as number);
  };

  const queueStart = (instance: number): void => {
    row[instance * ROW + STEP] = START_QUEUED;
    run.queueStart(instance);
  };

  const arrive = (r: number): void => {
    const prompt = workload.prompt_tokens[r] as number;
    if (run.rejects(r)) {
      run.rejected++;
      return;
    }
    const instance = run.dispatch.best;
    run.dispatch.dispatched(instance);
    const base = instance * ROW;
    waitTokens[r] = prompt;
    pushWaiting(base, r, false);
    if (row[base + STEP] === IDLE) queueStart(instance);
  };

  /** Opens a gap for request r in the running slots, kept in arrival (id) order; returns its slot. */
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
      const need = run.blocksFor(length);
      if (free - need < watermark || tokens + length > limits.max_num_batched_tokens || running + 1 > maxSeqs) break;
      free -= need;
      const next = nextWaiting[r] as number;
      row[base + WAIT_HEAD] = next;
      if (next === -1) row[base + WAIT_TAIL] = -1;
      row[base + WAIT_COUNT] = (row[base + WAIT_COUNT] as number) - 1;
      row[base + WAIT_TOKENS] = (row[base + WAIT_TOKENS] as number) - (waitTokens[r] as number);
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
      row[base + STEP] = admitted;
      duration_ms = run.prefillMs(tokens, squares);
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
          waitTokens[r] = slots[victim + TOKENS] as number;
          pushWaiting(base, r, true);
          run.preemptions++;
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
      row[base + STEP] = DECODING;
      duration_ms = run.decodeMs(batch, context);
    }
    row[base + FREE] = free;
    row[base + RUNNING] = running;
    run.queueEnd(instance, duration_ms);
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
        const generated = (slots[at + GENERATED] as number) + 1;
        if (run.token(slots[at + REQ] as number, generated)) {
          free += slots[at + BLOCKS] as number;
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
    run.report(instance, free, requests, row[base + WAIT_TOKENS] as number);
    row[base + STEP] = IDLE;
    if (requests > 0) queueStart(instance);
  };

  return run.drive({ arrive, startStep, endStep });
}
