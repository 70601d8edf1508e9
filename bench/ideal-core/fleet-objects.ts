/**
 * The ideal core's algorithm (fleet.ts: the same events, the same decisions, the same prices)
 * with its state in objects, as `engine/` and `sim/` hold it: an instance object with a running
 * list and a waiting list of sequence objects, one sequence object per request. The two
 * variants differ in layout only, so `bench:ideal --layout objects` measures what the layout
 * alone costs as the fleet grows (docs/performance.md, "Eleventh round"). Its results equal
 * fleet.ts's (test/bench/ideal-core.test.ts).
 */
import { type IdealLimits, type IdealPrices, type IdealResult, IdealRun, type IdealWorkload } from './ideal-run.ts';

class IdealSequence {
  tokens: number;
  generated = 0;
  blocks = 0;
  inPrefill = false;
  constructor(
    readonly request: number,
    prompt: number,
  ) {
    this.tokens = prompt;
  }
}

class IdealInstance {
  free: number;
  running: IdealSequence[] = [];
  waiting: IdealSequence[] = [];
  /** Tokens of the waiting sequences (the freeness formula's queued demand, in tokens). */
  waitingTokens = 0;
  /** Whether a step is queued or in flight; `prefill`: the one in flight is a prefill. */
  busy = false;
  prefill = false;
  constructor(blocks: number) {
    this.free = blocks;
  }
}

export function runIdealObjects(workload: IdealWorkload, count: number, limits: IdealLimits, prices: IdealPrices): IdealResult {
  const run = new IdealRun(workload, count, limits, prices);
  const { block_size_tokens: size, watermark_blocks: watermark, max_num_seqs: maxSeqs } = limits;
  const instances = Array.from({ length: count }, () => new IdealInstance(limits.total_blocks));

  const queueStart = (id: number, instance: IdealInstance): void => {
    instance.busy = true;
    run.queueStart(id);
  };

  const arrive = (r: number): void => {
    const prompt = workload.prompt_tokens[r] as number;
    if (run.rejects(r)) {
      run.rejected++;
      return;
    }
    const id = run.dispatch.best;
    run.dispatch.dispatched(id);
    const instance = instances[id] as IdealInstance;
    const sequence = new IdealSequence(r, prompt);
    instance.waiting.push(sequence);
    instance.waitingTokens += sequence.tokens;
    if (!instance.busy) queueStart(id, instance);
  };

  const startStep = (id: number): void => {
    const instance = instances[id] as IdealInstance;
    const running = instance.running;
    let admitted = 0;
    let tokens = 0;
    let squares = 0;
    for (;;) {
      const head = instance.waiting[0];
      if (head === undefined) break;
      const need = run.blocksFor(head.tokens);
      if (instance.free - need < watermark || tokens + head.tokens > limits.max_num_batched_tokens || running.length + 1 > maxSeqs) break;
      instance.free -= need;
      instance.waiting.shift();
      instance.waitingTokens -= head.tokens;
      head.blocks = need;
      head.inPrefill = true;
      let at = running.length;
      while (at > 0 && (running[at - 1] as IdealSequence).request > head.request) at--;
      running.splice(at, 0, head);
      admitted++;
      tokens += head.tokens;
      squares += head.tokens * head.tokens;
    }
    if (admitted > 0) {
      instance.prefill = true;
      run.queueEnd(id, run.prefillMs(tokens, squares));
      return;
    }
    if (running.length === 0) {
      instance.busy = false;
      return;
    }
    let context = 0;
    let batch = 0;
    for (let i = 0; i < running.length; i++) {
      const current = running[i] as IdealSequence;
      let selfPreempted = false;
      while (instance.free < 1) {
        const victim = running.pop() as IdealSequence;
        instance.free += victim.blocks;
        instance.waiting.unshift(victim);
        instance.waitingTokens += victim.tokens;
        run.preemptions++;
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
    instance.prefill = false;
    run.queueEnd(id, run.decodeMs(batch, context));
  };

  const endStep = (id: number): void => {
    const instance = instances[id] as IdealInstance;
    const running = instance.running;
    let kept = 0;
    for (let i = 0; i < running.length; i++) {
      const s = running[i] as IdealSequence;
      if (!instance.prefill || s.inPrefill) {
        s.inPrefill = false;
        if (run.token(s.request, s.generated + 1)) {
          instance.free += s.blocks;
          continue;
        }
        s.generated++;
        s.tokens++;
      }
      running[kept++] = s;
    }
    running.length = kept;
    const requests = kept + instance.waiting.length;
    run.report(id, instance.free, requests, instance.waitingTokens);
    instance.busy = false;
    if (requests > 0) queueStart(id, instance);
  };

  return run.drive({ arrive, startStep, endStep });
}
