// The real engine of one instance: the engine core's scheduler and block manager (engine/, the
// same code the simulator runs) with the native model runner as executor. One step at a time:
// schedule → forward → sample → update → stream deltas. Requests and aborts that arrive while
// a step runs are applied between steps, so the core is only touched by this loop.
import { admissionError, batchTokens, blocksFor, createEngine, type EngineCore, type EngineKind, type EngineLimits } from '../../engine/index.ts';
import type { LocalRequestView } from '../../policies/index.ts';
import { KvBlockPool, type KvDtype } from '../native/index.ts';
import { openModel, resolveModelDir, type OpenedModel } from '../model/index.ts';
import { AsyncQueue } from './async-queue.ts';
import { ColdStartClock, type ColdStart } from './cold-start.ts';
import { forwardBatch } from './forward-batch.ts';
import type { MigratedState } from './migrated-state.ts';
import { engineLoad, type EngineLoad } from './load-report.ts';
import { RealSequence } from './real-sequence.ts';
import { ModelRunner, type RunnerTensor } from './runner/index.ts';
import { RequestOutput, type RequestOutputInit } from './sampling-output.ts';
import { SamplingScratch } from './sampling.ts';
import { isGreedy } from './sampling-params.ts';
import { SamplingRng, samplingSeed } from './sampling-rng.ts';
import type { EngineStats, GenerationDelta, GenerationEngine, GenerationRequest } from './types.ts';
import { UNIX_ORIGIN_MS, unixNowMs } from '../rpc/machine-clock.ts';

export interface LLMEngineOptions {
  /** An HF model folder, or a tiny preset name (`tiny`, `tiny-1_5b`, `tiny-3b`). */
  readonly model: string;
  /** Scheduler of the engine core (default vllm-v1, as a modern vLLM). */
  readonly engine_kind?: EngineKind;
  readonly num_kv_blocks?: number;
  readonly block_size_tokens?: number;
  readonly max_num_batched_tokens?: number;
  readonly max_num_seqs?: number;
  /** Longest prompt + output; default the smaller of the model's and the KV cache's. */
  readonly max_model_len?: number;
  readonly enable_prefix_caching?: boolean;
  readonly kv_dtype?: KvDtype;
  /** Compute threads of the model runner. */
  readonly threads?: number;
  /** Seeds every request that brings no seed of its own. */
  readonly seed?: number;
  /** Load this converted checkpoint (a node agent's disk or DRAM tier) instead of converting the folder. */
  readonly checkpoint_dir?: string;
}

export interface LLMEngineStats extends EngineStats {
  readonly steps: number;
  /** Sequences preempted (recompute) since the engine started. */
  readonly preemptions: number;
}

/** One engine step as it ran (the real backend's steps.csv row; the profiler's raw data). */
export interface StepTiming {
  readonly step: number;
  readonly prefill_seqs: number;
  readonly prefill_tokens: number;
  readonly decode_seqs: number;
  /** Σ context tokens of the decodes (tokens in their KV after this step). */
  readonly decode_context_tokens: number;
  /** KV tokens of the whole batch after the step: Σ (context + new) of the chunks + the decodes' (a StepRecord's context_tokens). */
  readonly context_tokens: number;
  /** Wall-clock start, ms since the Unix epoch on the fleet's machine clock (rpc/machine-clock.ts): comparable across processes of one machine. */
  readonly started_unix_ms: number;
  readonly preempted: number;
  /** The model's forward pass alone. */
  readonly forward_ms: number;
  /** Schedule + forward + sampling + update: the step's whole wall time. */
  readonly step_ms: number;
}

interface CatchUp {
  readonly request_id: string;
  readonly from: number;
  readonly token_ids: readonly number[];
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
}

export class LLMEngine implements GenerationEngine {
  readonly model_name: string;
  readonly max_model_len: number;
  readonly model: OpenedModel;
  readonly runner: ModelRunner;
  /** How this engine's start went, stage by stage (set once by create). */
  cold_start: ColdStart | undefined = undefined;
  readonly core: EngineCore<RealSequence>;
  readonly #seed: number;
  readonly #pending: RealSequence[] = [];
  readonly #byId = new Map<string, RealSequence>();
  #nextId = 0;
  #steps = 0;
  #preemptions = 0;
  #loop: Promise<void> | undefined;
  /**
   * Set by every event that may let the engine schedule something (a request, an abort, a
   * suspension or resumption, blocks freed or committed), cleared when the loop plans a step.
   */
  #woken = false;
  #failed: Error | undefined;
  #closed = false;
  readonly #stepListeners = new Set<(step: StepTiming) => void>();
  readonly #idleListeners = new Set<() => void>();
  /** Suspensions for migration, applied at the next step boundary. */
  readonly #suspending = new Map<string, (suspended: boolean) => void>();
  /** Snapshot last stage: tokens from migrations' sources, applied at the next step boundary. */
  readonly #catchUps: CatchUp[] = [];
  readonly #started_ms = performance.now();
  /** Sampling buffers reused across steps (one step runs at a time). */
  readonly #scratch = new SamplingScratch();

  private constructor(name: string, model: OpenedModel, runner: ModelRunner, core: EngineCore<RealSequence>, maxModelLen: number, seed: number) {
    this.model_name = name;
    this.model = model;
    this.runner = runner;
    this.core = core;
    this.max_model_len = maxModelLen;
    this.#seed = seed;
  }

  static async create(opts: LLMEngineOptions): Promise<LLMEngine> {
    const clock = new ColdStartClock();
    const dir = await resolveModelDir(opts.model);
    const model = await openModel(dir, opts.checkpoint_dir === undefined ? {} : { checkpointDir: opts.checkpoint_dir });
    const arch = model.arch;
    const blockSize = opts.block_size_tokens ?? 16;
    const numBlocks = opts.num_kv_blocks ?? 1024;
    const capacity = numBlocks * blockSize;
    const maxModelLen = opts.max_model_len ?? Math.min(arch.max_position_embeddings, capacity);
    if (maxModelLen > arch.max_position_embeddings) {
      throw new EngineError(`max_model_len = ${maxModelLen}; expected at most the model's max_position_embeddings ${arch.max_position_embeddings}`);
    }
    const limits: EngineLimits = {
      total_blocks: numBlocks,
      // vLLM v1 admits without a watermark; v0 keeps 1 % free (llumnix.md §6).
      watermark_blocks: (opts.engine_kind ?? 'vllm-v1') === 'vllm-v0' ? Math.floor(numBlocks * 0.01) : 0,
      block_size_tokens: blockSize,
      max_num_batched_tokens: opts.max_num_batched_tokens ?? 2048,
      max_num_seqs: opts.max_num_seqs ?? 64,
      enable_prefix_caching: opts.enable_prefix_caching ?? true,
      max_model_len_tokens: maxModelLen,
    };
    const core = createEngine<RealSequence>(opts.engine_kind ?? 'vllm-v1', limits);
    const kvPool = new KvBlockPool({
      numLayers: arch.num_hidden_layers, numBlocks, blockSize, numKvHeads: arch.num_key_value_heads, headDim: arch.head_dim, dtype: opts.kv_dtype ?? 'f32',
    });
    const tensors = (name: string): RunnerTensor | undefined => {
      const t = model.tensors.get(name);
      return t === undefined ? undefined : { dtype: t.dtype, shape: t.shape, data: t.data };
    };
    clock.copyStarts();
    const runner = ModelRunner.create({ arch, tensors, kvPool, threads: opts.threads ?? 1 });
    clock.copyEnds();
    const engine = new LLMEngine(opts.model, model, runner, core, maxModelLen, opts.seed ?? 0);
    engine.cold_start = await clock.finish(model);
    return engine;
  }

  get tokenizer(): OpenedModel['tokenizer'] {
    return this.model.tokenizer;
  }

  stats(): LLMEngineStats {
    const total = this.core.limits.total_blocks;
    return {
      num_requests_running: this.core.running.length,
      num_requests_waiting: this.core.waiting.length + this.#pending.length,
      kv_cache_usage_perc: (total - this.core.free_blocks) / total,
      steps: this.#steps,
      preemptions: this.#preemptions,
    };
  }

  /** The load an instance reports (pending requests count as waiting). */
  load(): EngineLoad {
    return engineLoad(this.core, this.#pending);
  }

  /** Calls `listener` after every step with its timing; returns an unsubscribe. */
  onStep(listener: (step: StepTiming) => void): () => void {
    this.#stepListeners.add(listener);
    return () => this.#stepListeners.delete(listener);
  }

  /**
   * Calls `listener` when the engine runs out of work without a step (an abort, a migration out
   * or a suspension applied between steps): load reports would otherwise keep the last step's
   * counts until the next request. Returns an unsubscribe.
   */
  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    return () => this.#idleListeners.delete(listener);
  }

  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    if (this.#failed) throw new EngineError(`engine failed earlier: ${this.#failed.message}`);
    if (this.#closed) throw new EngineError('engine is shut down');
    if (this.#byId.has(request.request_id)) throw new EngineError(`request_id ${JSON.stringify(request.request_id)} is already running`);
    const prompt = request.prompt_token_ids;
    if (prompt.length === 0) throw new EngineError('prompt_token_ids is empty; expected at least one token');
    const vocab = this.model.arch.vocab_size;
    for (const [i, id] of prompt.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new EngineError(`prompt_token_ids[${i}] = ${id}; expected an integer in [0, ${vocab})`);
    }
    for (const [id] of request.sampling.logit_bias ?? []) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new EngineError(`logit_bias token id ${id}; expected an integer in [0, ${vocab})`);
    }
    const why = admissionError(this.core.kind, this.core.limits, prompt.length, request.sampling.max_tokens);
    if (why !== undefined) throw new EngineError(`request ${request.request_id}: ${why}`);
    const done = request.resume_output_token_ids ?? [];
    if (done.length >= request.sampling.max_tokens) {
      throw new EngineError(`request ${request.request_id}: ${done.length} resumed output tokens leave nothing of max_tokens ${request.sampling.max_tokens} to generate`);
    }
    for (const [i, id] of done.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new EngineError(`resume_output_token_ids[${i}] = ${id}; expected an integer in [0, ${vocab})`);
    }
    // Resumed after its instance died: the random stream skips one draw per token sampled
    // there (sampling draws exactly once per non-greedy token) and the output side replays
    // those tokens, so text and stop matching stand where the lost instance left them.
    let rng_state: RequestOutputInit['rng_state'];
    if (done.length > 0 && !isGreedy(request.sampling)) {
      const rng = SamplingRng.fromSeed(samplingSeed(request.sampling.seed, this.#seed, request.request_id));
      for (let k = 0; k < done.length; k++) rng.next();
      rng_state = rng.state();
    }
    const seq = this.#newSequence(request.request_id, request.priority ?? 'normal', prompt, request.sampling, rng_state === undefined ? {} : { rng_state });
    for (const id of done) {
      seq.output.append(id);
      seq.appendToken(id);
    }
    if (seq.output.finished) {
      this.#byId.delete(request.request_id);
      throw new EngineError(`request ${request.request_id}: its resumed output already ends (${seq.output.finish_reason}); nothing to continue`);
    }
    this.#pending.push(seq);
    if (signal !== undefined) {
      if (signal.aborted) seq.abort_requested = true;
      else signal.addEventListener('abort', () => this.abort(request.request_id), { once: true });
    }
    this.#kick();
    return seq.queue;
  }

  #newSequence(
    request_id: string,
    priority: 'normal' | 'high',
    prompt: readonly number[],
    sampling: GenerationRequest['sampling'],
    resume: Pick<RequestOutputInit, 'rng_state' | 'output_token_ids' | 'held_tokens' | 'held_text'>,
  ): RealSequence {
    const seq = new RealSequence({
      id: this.#nextId++,
      arrival_s: this.#clock_s(),
      priority,
      prompt_tokens: prompt.length,
      max_output_tokens: sampling.max_tokens,
      prompt_token_ids: prompt,
      request_id,
      output: new RequestOutput({
        request_id, params: sampling, decoder: this.model.tokenizer, eos_token_ids: this.model.tokenizer.eos_token_ids,
        prompt_token_ids: prompt, engine_seed: this.#seed, ...resume,
      }),
      queue: new AsyncQueue<GenerationDelta>(),
    });
    this.#byId.set(request_id, seq);
    return seq;
  }

  // ---- Live migration (Llumnix): the instance's side of PRE-ALLOC, suspend, COMMIT/ABORT ----

  /** The request, while this engine holds it. */
  sequence(request_id: string): RealSequence | undefined {
    return this.#byId.get(request_id);
  }

  /** Decoding requests as the source's selector sees them (prefilling ones cannot migrate yet). */
  runningViews(migrating: ReadonlySet<string>): LocalRequestView[] {
    const views: LocalRequestView[] = [];
    for (const [order, seq] of this.core.running.entries()) {
      if (seq.in_prefill || seq.abort_requested) continue;
      views.push({
        id: seq.id, arrival_s: seq.arrival_s, priority: seq.priority, length_tokens: seq.num_tokens,
        output_tokens: seq.generated, admit_order: order, migrating: migrating.has(seq.request_id),
      });
    }
    return views;
  }

  requestIdOf(sequence_id: number): string | undefined {
    for (const seq of this.core.running) if (seq.id === sequence_id) return seq.request_id;
    return undefined;
  }

  /** Takes the request out of the running batch at the next step boundary; false if it is no longer running. */
  suspend(request_id: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.#suspending.get(request_id)?.(false);
      this.#suspending.set(request_id, resolve);
      this.#kick();
    });
  }

  /**
   * A migration of the running request to `to` has blocks reserved there: its stream says so
   * (`migrating_to`), so that whoever follows it can attach to the destination before the COMMIT.
   */
  announceMigration(request_id: string, to: string): void {
    const seq = this.#byId.get(request_id);
    if (seq === undefined || seq.status === 'finished') return;
    seq.queue.push({ request_id, token_ids: [], text: '', migrating_to: to });
  }

  /** A migration aborted after suspending: the request runs here again. */
  resumeSuspended(request_id: string): void {
    const seq = this.#byId.get(request_id);
    if (seq === undefined || seq.status !== 'suspended') return;
    if (seq.abort_requested) this.#finishAborted(seq, true);
    else this.core.resume(seq);
    this.#kick();
  }

  /** COMMIT on the source: the request continues at `to`; its blocks are freed and its stream here ends. */
  releaseMigrated(request_id: string, to: string): void {
    const seq = this.#byId.get(request_id);
    if (seq === undefined || seq.status !== 'suspended') throw new EngineError(`request ${request_id} is not suspended here; cannot release it`);
    this.core.releaseSuspended(seq);
    seq.status = 'finished';
    seq.queue.push({ request_id, token_ids: [], text: '', migrated_to: to });
    this.#retire(seq);
    this.#kick(); // its blocks are free: waiting requests may fit now
  }

  /** PRE-ALLOC on the destination (undefined: not enough free blocks above the watermark). */
  reserveBlocks(n: number): number[] | undefined {
    return this.core.reserve(n);
  }

  releaseReservation(ids: readonly number[]): void {
    this.core.releaseReservation(ids);
    this.#kick(); // waiting requests may fit now
  }

  /**
   * COMMIT on the destination: the request runs here on the blocks its KV was copied into.
   * `source_continues`: the state is a snapshot and the source keeps decoding (the snapshot
   * last stage); the tokens it produces after the snapshot come with catchUpMigrated.
   */
  commitIncoming(state: MigratedState, blockIds: readonly number[], opts: { source_continues?: boolean } = {}): AsyncIterable<GenerationDelta> {
    if (this.#closed) throw new EngineError('engine is shut down');
    // Catching up computes the tokens sent after the snapshot as one chunk on a running
    // sequence, which only vLLM v1's scheduler (one token budget for chunks and decodes) plans.
    if (opts.source_continues === true && this.core.kind !== 'vllm-v1') throw new EngineError(`request ${state.request_id}: a snapshot COMMIT needs the vllm-v1 engine to catch up; this instance runs ${this.core.kind}`);
    if (this.#byId.has(state.request_id)) throw new EngineError(`request_id ${JSON.stringify(state.request_id)} is already here`);
    const need = blocksFor(state.num_computed_tokens, this.core.limits.block_size_tokens);
    if (blockIds.length < need) throw new EngineError(`request ${state.request_id}: ${blockIds.length} blocks cannot hold ${state.num_computed_tokens} computed tokens (${need} needed)`);
    const o = state.output;
    const seq = this.#newSequence(state.request_id, state.priority, state.prompt_token_ids, state.sampling, {
      rng_state: o.rng_state, output_token_ids: o.output_token_ids, held_tokens: o.held_tokens, held_text: o.held_text,
    });
    for (const id of o.output_token_ids) seq.appendToken(id);
    seq.num_computed_tokens = state.num_computed_tokens;
    seq.in_prefill = false;
    this.core.commitIncoming(seq, blockIds);
    // Leaves with the COMMIT (before this step's token): a manager attached ahead learns here
    // that the source's stream holds nothing more than the tokens it already has.
    seq.queue.push({ request_id: state.request_id, token_ids: [], text: '', resumes_at: o.output_token_ids.length, ...(opts.source_continues === true ? { source_continues: true } : {}) });
    this.#kick();
    return seq.queue;
  }

  /**
   * The snapshot last stage on the destination: output tokens the source produced after its
   * snapshot, `from` being the index of the first. Applied at the next step boundary: tokens
   * this engine produced itself already are checked against them; the others are appended
   * (their text streamed here too, the random stream skipping their draws), and their KV is
   * computed as one chunk by the next step, which samples the token after them.
   */
  catchUpMigrated(request_id: string, from: number, token_ids: readonly number[]): void {
    this.#catchUps.push({ request_id, from, token_ids });
    this.#kick();
  }

  #applyCatchUp(c: CatchUp): void {
    const seq = this.#byId.get(c.request_id);
    // A copy preempted here (waiting) takes them too: its recompute then covers them.
    if (seq === undefined || (seq.status !== 'running' && seq.status !== 'waiting') || seq.abort_requested || seq.output.finished) return;
    const have = seq.output.output_token_ids;
    const why = (): string | undefined => {
      if (c.from > have.length) return `catch-up tokens start at output index ${c.from} but ${have.length} are here`;
      for (let k = 0; k < c.token_ids.length && c.from + k < have.length; k++) {
        if (have[c.from + k] !== c.token_ids[k]) return `output token ${c.from + k} is ${have[c.from + k]} here but ${c.token_ids[k]} on the source`;
      }
      return undefined;
    };
    const bad = why();
    if (bad !== undefined) {
      // Not the same request any more: it ends here (the source still runs it).
      this.core.abort(seq);
      seq.queue.close(new EngineError(`request ${c.request_id}: ${bad}`));
      this.#byId.delete(seq.request_id);
      return;
    }
    const produced_unix_ms = unixNowMs();
    for (let k = have.length - c.from; k < c.token_ids.length; k++) {
      const id = c.token_ids[k] as number;
      seq.queue.push({ ...seq.output.replay(id), produced_unix_ms });
      seq.appendToken(id);
      if (seq.output.finished) {
        this.core.abort(seq);
        this.#retire(seq);
        return;
      }
    }
    // More than the last token lacks KV: the next step computes them as a chunk (then samples).
    if (seq.status === 'running' && seq.num_tokens - seq.num_computed_tokens > 1) seq.in_prefill = true;
  }

  /**
   * Token-based migration (ServerlessLLM §6) on the destination: the request runs here from its
   * tokens and output state (random stream included) with no KV copied. Its KV is recomputed
   * like a prompt; blocks earlier rounds computed are prefix-cache hits, so only the tail is new.
   */
  resumeMigrated(state: Omit<MigratedState, 'num_computed_tokens'>): AsyncIterable<GenerationDelta> {
    if (this.#failed) throw new EngineError(`engine failed earlier: ${this.#failed.message}`);
    if (this.#closed) throw new EngineError('engine is shut down');
    if (this.#byId.has(state.request_id)) throw new EngineError(`request_id ${JSON.stringify(state.request_id)} is already here`);
    const o = state.output;
    const why = admissionError(this.core.kind, this.core.limits, state.prompt_token_ids.length, state.sampling.max_tokens);
    if (why !== undefined) throw new EngineError(`request ${state.request_id}: ${why}`);
    const seq = this.#newSequence(state.request_id, state.priority, state.prompt_token_ids, state.sampling, {
      rng_state: o.rng_state, output_token_ids: o.output_token_ids, held_tokens: o.held_tokens, held_text: o.held_text,
    });
    for (const id of o.output_token_ids) seq.appendToken(id);
    this.#pending.push(seq);
    this.#kick();
    return seq.queue;
  }

  /** Ends a request wherever it is (between steps); its stream closes with finish_reason 'abort'. */
  abort(request_id: string): void {
    const seq = this.#byId.get(request_id);
    if (seq === undefined) return;
    seq.abort_requested = true;
    this.#kick();
  }

  /** Stops accepting work, aborts what is left and waits for the step in flight. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const seq of this.#byId.values()) seq.abort_requested = true;
    this.#kick();
    await this.#loop;
    this.runner.free();
    this.model.release();
  }

  /** Wall seconds since the engine started (orders FCFS, measures queue time). */
  #clock_s(): number {
    return (performance.now() - this.#started_ms) / 1e3;
  }

  /** An engine-clock time as Unix epoch milliseconds. */
  #unix_ms(engine_s: number): number {
    return UNIX_ORIGIN_MS + this.#started_ms + engine_s * 1e3;
  }

  #kick(): void {
    this.#woken = true;
    this.#loop ??= this.#run().finally(() => {
      this.#loop = undefined;
      // Something happened after the loop last planned: look again. Work that is merely blocked
      // (waiting requests with no free blocks: a destination's pre-allocation or a suspended
      // request holds them) waits for the event that frees them. Looking again without one
      // spun the loop in microtasks: the event loop never ran again, so neither did the RPC
      // that would have freed the blocks, and the idle reports it queued grew without bound.
      if (this.#failed === undefined && this.#woken) this.#kick();
    });
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        this.#woken = false;
        this.#applyBetweenSteps();
        const t0 = performance.now();
        const plan = this.core.schedule();
        for (const seq of plan?.ignored ?? []) {
          seq.queue.push(seq.output.ignore());
          this.#retire(seq);
        }
        if (plan === undefined || plan.prefills.length + plan.decodes.length === 0) {
          for (const listener of this.#idleListeners) listener();
          return;
        }
        this.#preemptions += plan.preempted.length;
        const now_s = this.#clock_s();
        for (const seq of plan.admitted) seq.first_scheduled_s ??= now_s;
        const batch = forwardBatch(plan);
        const f0 = performance.now();
        const out = await this.runner.forward(batch);
        const forward_ms = performance.now() - f0;
        // Stamped on every delta of this step (the simulator's token time is its step's end).
        const produced_unix_ms = unixNowMs();
        this.#steps++;
        const sampled: (number | undefined)[] = new Array(plan.prefills.length + plan.decodes.length).fill(undefined);
        const seqs = [...plan.prefills.map((p) => p.seq), ...plan.decodes.map((d) => d.seq)];
        for (const [row, index] of out.rows.entries()) {
          const seq = seqs[index] as RealSequence;
          const logits = out.logits.subarray(row * out.vocabSize, (row + 1) * out.vocabSize);
          const delta = { ...seq.output.sample(logits, this.#scratch), produced_unix_ms };
          sampled[index] = delta.token_ids[0];
          if (seq.generated === 0 && seq.first_scheduled_s !== undefined) {
            seq.queue.push({ ...delta, queue_time_s: seq.first_scheduled_s - seq.arrival_s, arrived_unix_ms: this.#unix_ms(seq.arrival_s) });
          } else seq.queue.push(delta);
        }
        const outcome = this.core.update(plan, (seq) => seq.output.finished, sampled);
        for (const seq of outcome.finished) this.#retire(seq);
        if (this.#stepListeners.size > 0) {
          const { prefill_tokens, prefill_context_tokens, decode_context_tokens } = batchTokens(plan);
          const timing: StepTiming = {
            step: this.#steps, prefill_seqs: plan.prefills.length, prefill_tokens, decode_seqs: plan.decodes.length, decode_context_tokens,
            context_tokens: prefill_context_tokens + decode_context_tokens, started_unix_ms: UNIX_ORIGIN_MS + t0,
            preempted: plan.preempted.length, forward_ms, step_ms: performance.now() - t0,
          };
          for (const listener of this.#stepListeners) listener(timing);
        }
      }
    } catch (err) {
      this.#failed = err instanceof Error ? err : new Error(String(err));
      for (const seq of this.#byId.values()) seq.queue.close(new EngineError(`engine step failed: ${this.#failed.message}`));
      this.#byId.clear();
    }
  }

  #applyBetweenSteps(): void {
    for (const c of this.#catchUps.splice(0)) this.#applyCatchUp(c);
    for (const [request_id, resolve] of this.#suspending) {
      this.#suspending.delete(request_id);
      const seq = this.#byId.get(request_id);
      const ok = seq !== undefined && seq.status === 'running' && !seq.in_prefill && !seq.abort_requested;
      if (ok) this.core.suspend(seq);
      resolve(ok);
    }
    for (const seq of this.#pending.splice(0)) {
      if (seq.abort_requested) this.#finishAborted(seq, false);
      else this.core.enqueue(seq);
    }
    for (const seq of this.#byId.values()) {
      // A suspended request is the migration's to finish: it resumes or releases it.
      if (seq.abort_requested && (seq.status === 'running' || seq.status === 'waiting')) this.#finishAborted(seq, true);
    }
  }

  #finishAborted(seq: RealSequence, inCore: boolean): void {
    if (inCore) this.core.abort(seq);
    seq.queue.push(seq.output.abort());
    this.#retire(seq);
  }

  #retire(seq: RealSequence): void {
    seq.queue.close();
    this.#byId.delete(seq.request_id);
  }
}
