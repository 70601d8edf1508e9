import { admissionError, batchTokens, createEngine, type EngineKind, type EngineLimits, type StepPlan } from '../../engine/index.ts';
import type { RunObserver, StepRecord } from '../../metrics/index.ts';
import type { ClusterView, Decision, FleetScheduler, InstanceReport, LocalRequestView } from '../../policies/index.ts';
import type { RequestSpec } from '../../traces/request.ts';
import { Band, RecurringEvent, type Simulation } from '../kernel/index.ts';
import { requestRecord, SimInstance, SimRequest } from '../instance/index.ts';
import { LiveMigration, type MigrationParams, type MigrationRecord } from '../migration/index.ts';
import { checkedLatency, type CopyModel, type PerfModel } from '../perf/index.ts';
import { TokenGaps } from '../../metrics/token-gaps.ts';
import { LiveView } from './live-view.ts';
import { TimeWeighted } from './time-weighted.ts';

export interface SimClusterOptions {
  readonly instances: number;
  /** The scheduler every instance runs (default vllm-v0: Llumnix's vLLM 0.1.7). */
  readonly engine?: EngineKind;
  readonly limits: EngineLimits;
  readonly perf: PerfModel;
  readonly copy: CopyModel;
  readonly migration: MigrationParams;
  /** Delay from a scale-up decision until the new instance serves (model load, KV cache). */
  readonly startup_s: number;
  /** Dispatch and token-delivery latency around the engines (cluster.frontend); absent: none. */
  readonly frontend?: { readonly dispatch_ms: number; readonly delivery_ms: number };
  /**
   * cluster.contention.step_factors: a step's price is multiplied by `step_factors[k]` when k
   * other instances are mid-step as it starts (the last entry beyond the list's end). Absent:
   * instances share no hardware, every factor 1.
   */
  readonly contention?: readonly number[];
  /** Checks block accounting of an instance after each of its steps (tests; slow). */
  readonly checkInvariants?: boolean;
  /**
   * Engines keep block ids even without prefix caching (tests: a run gives the same results
   * either way). By default the simulator's engines count blocks unless prefix caching needs ids
   * (BlockManager: a counting manager touches no table or free stack per step).
   */
  readonly blockIds?: boolean;
  /**
   * Checks every live view (`reads: live` dispatch) against a fresh snapshot of every instance,
   * field by field, and throws on a difference: a change that did not mark its instance (tests; slow).
   */
  readonly checkLiveView?: boolean;
  /** Receives every request (when it leaves), step and migration as a neutral record. */
  readonly observer?: RunObserver;
  /**
   * Most requests in flight at once, as vLLM's benchmark client `--max-concurrency`: a request
   * due while the limit is reached waits on the client side (FIFO) and is sent, its clock
   * starting then, when one finishes or is rejected. Unbounded when absent.
   */
  readonly max_concurrency?: number | undefined;
  /**
   * Keep every request in `requests` after it leaves (default true: tests and callers that
   * inspect them). False keeps only those in flight, so memory does not grow with the run:
   * the observer's records carry everything the results need.
   */
  readonly keepRequests?: boolean;
}

/** Changes the cluster's change feed remembers (a reader further behind compares every slot). */
const CHANGE_RING = 1 << 12;

/** Why a request never entered the fleet. */
export interface Rejection {
  readonly request: number;
  readonly reason: string;
}

/**
 * The simulated fleet: instances stepping in virtual time, the manager's view of their
 * reports, and the decisions of the global scheduler applied to them. Policy logic lives in
 * policies/; this class only applies decisions and checks they are still feasible.
 */
export class SimCluster {
  readonly instances: SimInstance[] = [];
  /** Every request that arrived (only while in flight when `keepRequests` is false). */
  readonly requests: SimRequest[] = [];
  /** Requests that arrived and have not left, in arrival order. */
  readonly #inFlight = new Set<SimRequest>();
  #lastFinish_s = 0;
  /** Instances with a step in flight (the contention model's k, plus one). */
  #stepping = 0;
  readonly migrations: MigrationRecord[] = [];
  readonly rejections: Rejection[] = [];
  /** Every gap between consecutive tokens of a request (vLLM's ITL), folded in as tokens appear. */
  readonly tokenGaps = new TokenGaps();
  readonly #reports: InstanceReport[] = [];
  readonly #dispatched: number[] = [];
  #reports_total = 0;
  /** Σ over step reports of the fleet size then (the artifact's record-weighted average). */
  #instancesAtReports = 0;
  #finished = 0;
  #total = 0;
  /** Requests sent and not yet finished or rejected (counted only under max_concurrency). */
  #clientInFlight = 0;
  /** Requests due while max_concurrency was reached, in arrival order; `#heldHead` is the next. */
  readonly #held: RequestSpec[] = [];
  #heldHead = 0;
  /** Instances still loading: the rest report (kept so triggers never scan the fleet per step). */
  #starting = 0;
  readonly #instanceCount: TimeWeighted;
  /**
   * The slots whose report or dispatched count changed, as they change (`ClusterView.changes`):
   * the dispatch index re-checks those at an arrival instead of all instances. The ring holds
   * more changes than a fleet makes between two arrivals; a reader further behind scans.
   */
  readonly #changes = { total: 0, slots: new Int32Array(CHANGE_RING), layout: 0 };
  /** The handlers of every instance's step events (one function each, the instance is the event's target). */
  readonly #startStep = (instance: SimInstance): void => this.startStep(instance);
  readonly #endStep = (instance: SimInstance): void => this.endStep(instance);
  readonly #view = { now_s: 0, instances: this.#reports, dispatched: this.#dispatched, reports_total: 0, reporting: 0, changes: this.#changes };
  /**
   * The live view's reports, kept from its first use (`liveView`): an instance is marked
   * (`#touched`) wherever its engine or its own fields change, and re-taken at the next view.
   */
  #live: LiveView | undefined;

  constructor(
    readonly sim: Simulation,
    readonly options: SimClusterOptions,
    readonly scheduler: FleetScheduler,
  ) {
    for (let i = 0; i < options.instances; i++) this.addInstance('active');
    this.#instanceCount = new TimeWeighted(this.instances.length, sim.now_s);
  }

  get engineKind(): EngineKind {
    return this.options.engine ?? 'vllm-v0';
  }

  get finished(): number {
    return this.#finished;
  }

  /** The last finish time of any request (0 when none finished): the makespan. */
  get lastFinish_s(): number {
    return this.#lastFinish_s;
  }

  /** Requests that arrived and have not left (finished or rejected), in arrival order. */
  inFlight(): IterableIterator<SimRequest> {
    return this.#inFlight.values();
  }

  /**
   * The fleet as the manager sees it now. One object, refreshed by each call (a view is asked
   * for after every step report): policies read a view while deciding and keep none of it.
   */
  view(): ClusterView {
    const view = this.#view;
    view.now_s = this.sim.now_s;
    view.reports_total = this.#reports_total;
    view.reporting = this.instances.length - this.#starting;
    return view;
  }

  /**
   * The fleet as it is now (every instance's state at this instant, requests dispatched earlier
   * at the same time included), for dispatch policies that read live state (Vidur's routing).
   * Equal, field by field, to a snapshot of every instance now, but re-takes only the instances
   * changed since the previous call (live-view.ts), and lists them in its change feed. One
   * object, refreshed by each call, like `view`.
   */
  liveView(): ClusterView {
    this.#live ??= new LiveView(this.instances, this.#dispatched);
    const view = this.#live.view(this.sim.now_s, this.#reports_total);
    if (this.options.checkLiveView === true) this.#live.check(this.sim.now_s);
    return view;
  }

  /** `instance`'s engine or own fields change now: the live view re-takes it at its next call. */
  #touched(instance: SimInstance): void {
    this.#live?.mark(instance);
  }

  /** Instances alive (starting, active or draining), averaged over time. */
  averageInstances(): number {
    return this.#instanceCount.average(this.sim.now_s);
  }

  /** Fleet size averaged over step reports, as the Llumnix artifact's plot script does. */
  averageInstancesPerReport(): number {
    return this.#reports_total === 0 ? this.instances.length : this.#instancesAtReports / this.#reports_total;
  }

  private addInstance(state: 'active' | 'starting'): SimInstance {
    const id = this.sim.nextId('instance');
    const block_ids = this.options.blockIds === true || this.options.limits.enable_prefix_caching === true;
    const engine = createEngine<SimRequest>(this.engineKind, this.options.limits, { block_ids });
    const instance = new SimInstance(id, engine, state, this.sim.now_s);
    instance.stepStart = new RecurringEvent(Band.stepStart, this.#startStep, instance);
    instance.stepEnd = new RecurringEvent(Band.stepEnd, this.#endStep, instance);
    instance.slot = this.instances.length;
    this.#changes.layout++;
    this.instances.push(instance);
    this.#reports.push(instance.report);
    this.#dispatched.push(0);
    this.#live?.added(instance);
    if (state === 'starting') this.#starting++;
    this.#instanceCount?.set(this.instances.length, this.sim.now_s);
    return instance;
  }

  /**
   * Schedules the arrival of every request of a workload, and the scaling checks. With
   * `consume`, the workload array is handed over and emptied as requests arrive (memory).
   */
  load(workload: readonly RequestSpec[], options: { readonly consume?: boolean } = {}): void {
    this.#total += workload.length;
    this.sim.atEach(workload, (spec) => spec.arrival_s, Band.arrival, (spec) => this.arrive(spec), options);
    const scaling = this.scheduler.scaling;
    if (scaling !== undefined) this.sim.at(scaling.first_check_s, Band.control, () => this.scalingTick(scaling.interval_s));
  }

  private scalingTick(interval_s: number): void {
    for (const decision of this.scheduler.onScalingTick(this.view())) this.applyScaling(decision);
    // Stop once the workload is done, so the run ends with its last request.
    if (this.#finished < this.#total) this.sim.after(interval_s, Band.control, () => this.scalingTick(interval_s));
  }

  /** Applies a scale-up or scale-down decision. */
  applyScaling(decision: Decision): void {
    if (decision.kind === 'scale-up') {
      let n = decision.n;
      // A draining instance is reused before a new one is started (as the artifact's manager).
      for (const instance of this.instances) {
        if (n > 0 && instance.state === 'terminating') {
          instance.state = 'active';
          this.refreshReport(instance);
          n--;
        }
      }
      for (; n > 0; n--) {
        const instance = this.addInstance('starting');
        this.sim.after(this.options.startup_s, Band.control, () => this.activate(instance));
      }
    } else if (decision.kind === 'scale-down') {
      const instance = this.instances[this.indexOf(decision.instance)];
      if (instance === undefined || instance.state !== 'active') {
        throw new Error(`scale-down of instance ${decision.instance}, which is not an active instance`);
      }
      instance.state = 'terminating';
      this.refreshReport(instance);
      this.removeIfDrained(instance);
    }
  }

  /** A started instance joins as an empty instance that has reported. */
  private activate(instance: SimInstance): void {
    if (instance.state === 'starting') this.#starting--;
    instance.state = 'active';
    instance.refreshReport(this.sim.now_s, true);
    this.#changed(instance.slot);
    this.#touched(instance);
  }

  /** Records that slot's report or dispatched count changed (`#changes`). */
  #changed(slot: number): void {
    const changes = this.#changes;
    changes.slots[changes.total % CHANGE_RING] = slot;
    changes.total++;
  }

  /** Re-publishes a report after a state change (not a step report: no trigger counts it). */
  private refreshReport(instance: SimInstance): void {
    instance.refreshReport(this.sim.now_s, instance.report.reported);
    this.#changed(instance.slot);
    this.#touched(instance);
  }

  /** A draining instance leaves the fleet once nothing runs, waits or migrates on it. */
  private removeIfDrained(instance: SimInstance): void {
    const e = instance.engine;
    if (instance.state !== 'terminating' || instance.busy || !e.idle || instance.migrations_in_flight > 0) return;
    const index = this.indexOf(instance.id);
    this.instances.splice(index, 1);
    this.#reports.splice(index, 1);
    this.#dispatched.splice(index, 1);
    for (let slot = index; slot < this.instances.length; slot++) (this.instances[slot] as SimInstance).slot = slot;
    this.#changes.layout++;
    this.#live?.removed(index);
    this.#instanceCount.set(this.instances.length, this.sim.now_s);
  }

  /** A request is due: sent now, or held by the client while max_concurrency requests are in flight. */
  private arrive(spec: RequestSpec): void {
    const limit = this.options.max_concurrency;
    if (limit !== undefined) {
      if (this.#clientInFlight >= limit) {
        this.#held.push(spec);
        return;
      }
      this.#clientInFlight++;
    }
    this.admit(spec);
  }

  /** A request left the fleet (finished or rejected): under max_concurrency, the client sends the next one held. */
  private release(): void {
    if (this.options.max_concurrency === undefined) return;
    const next = this.#held[this.#heldHead];
    if (next === undefined) {
      this.#clientInFlight--;
      return;
    }
    // The slot passes straight to the held request (in-flight count unchanged), sent now: as in
    // vLLM's client, its latencies count from when it is sent.
    this.#heldHead++;
    const now = this.sim.now_s;
    this.sim.at(now, Band.arrival, () => this.admit({ ...next, arrival_s: now }));
  }

  private admit(spec: RequestSpec): void {
    const request = new SimRequest(spec);
    if (this.options.keepRequests !== false) this.requests.push(request);
    this.#inFlight.add(request);
    // vLLM drops requests it can never serve; so do we, and the summary counts them.
    const never = admissionError(this.engineKind, this.options.limits, spec.prompt_tokens, spec.output_tokens);
    if (never !== undefined) return this.reject(request, never);
    const verdict = this.scheduler.dispatch(
      { id: spec.id, prompt_tokens: spec.prompt_tokens, priority: spec.priority, ...(spec.model === undefined ? {} : { model: spec.model }) },
      this.scheduler.dispatchReads === 'live' ? this.liveView() : this.view(),
    );
    if (!verdict.ok) return this.reject(request, `${verdict.policy}: ${verdict.reasons.join('; ')}`);
    const index = this.indexOf(verdict.value);
    const instance = this.instances[index];
    if (instance === undefined || instance.state !== 'active') {
      throw new Error(`dispatch policy ${verdict.policy} picked instance ${verdict.value}, which is not active`);
    }
    this.#dispatched[index] = (this.#dispatched[index] ?? 0) + 1;
    this.#changed(index);
    this.#touched(instance);
    request.instance = instance.id;
    if (request.priority === 'high') instance.high_priority++;
    const dispatch_ms = this.options.frontend?.dispatch_ms ?? 0;
    if (dispatch_ms > 0) this.sim.after(dispatch_ms / 1e3, Band.arrival, () => this.enqueue(instance, request));
    else this.enqueue(instance, request);
  }

  private enqueue(instance: SimInstance, request: SimRequest): void {
    instance.engine.enqueue(request);
    this.#touched(instance);
    this.kick(instance);
  }

  /** When a token produced now reaches its client. */
  #delivered(now_s: number): number {
    const delivery_ms = this.options.frontend?.delivery_ms ?? 0;
    return delivery_ms > 0 ? now_s + delivery_ms / 1e3 : now_s;
  }

  private reject(request: SimRequest, reason: string): void {
    request.phase = 'finished';
    this.#inFlight.delete(request);
    this.rejections.push({ request: request.id, reason });
    this.#finished++;
    this.options.observer?.request?.(requestRecord(request, reason));
    this.release();
  }

  private indexOf(id: number): number {
    // Ids are dense and increasing while instances are only added, so try the fast path first.
    if (this.instances[id]?.id === id) return id;
    return this.instances.findIndex((instance) => instance.id === id);
  }

  /** Starts the instance's next iteration at the current time, once, if it is idle. */
  kick(instance: SimInstance): void {
    if (instance.busy || instance.start_pending) return;
    instance.start_pending = true;
    this.sim.atRecurring(instance.stepStart as RecurringEvent<SimInstance>, this.sim.now_s);
  }

  private startStep(instance: SimInstance): void {
    this.#touched(instance);
    instance.start_pending = false;
    if (instance.busy) return;
    const now = this.sim.now_s;
    const plan = instance.engine.schedule();
    if (plan === undefined) return;
    if (plan.ignored.length > 0 && this.#dropIgnored(instance, plan)) return;
    for (const victim of plan.preempted) victim.killed = { killed_s: now, output_tokens: victim.generated };
    for (const request of plan.admitted) {
      if (request.killed !== undefined) {
        request.readmitted = { kill: request.killed, readmit_s: now };
        request.killed = undefined;
      }
      request.first_scheduled_s ??= now;
    }
    const perf = this.options.perf;
    const slowdown = instance.migrations_out > 0 ? 1 + this.options.migration.source_slowdown : 1;
    const duration_s = (checkedLatency(perf.name, 'step', perf.step_ms(plan)) / 1e3) * slowdown * this.#contention();
    this.#stepping++;
    instance.current = plan;
    instance.current_start_s = now;
    instance.current_duration_s = duration_s;
    instance.current_end_s = this.sim.now_s + duration_s;
    this.sim.atRecurring(instance.stepEnd as RecurringEvent<SimInstance>, instance.current_end_s);
  }

  /**
   * Ends the requests the engine dropped as never admissible (`plan.ignored`: a preempted
   * request grown past the token cap), each recorded with its reason. True when nothing else
   * is planned: the instance reports, as vLLM's step returning only ignored requests does, and
   * goes idle.
   */
  #dropIgnored(instance: SimInstance, plan: StepPlan<SimRequest>): boolean {
    const cap = this.options.limits.max_num_batched_tokens;
    for (const request of plan.ignored) {
      if (request.priority === 'high') instance.high_priority--;
      this.reject(request, `ignored at the head of the queue: ${request.num_tokens} tokens (prompt + generated, after ${request.preemptions} preemption(s)) exceed max_num_batched_tokens ${cap}`);
    }
    if (plan.prefills.length + plan.decodes.length + plan.preempted.length > 0) return false;
    this.publishReport(instance);
    this.removeIfDrained(instance);
    return true;
  }

  /** The factor of a step starting now, given how many other instances are mid-step. */
  #contention(): number {
    const factors = this.options.contention;
    if (factors === undefined) return 1;
    return factors[Math.min(this.#stepping, factors.length - 1)] as number;
  }

  /** The iteration in flight on `instance` (one at a time: `current`) has ended. */
  private endStep(instance: SimInstance): void {
    this.#touched(instance);
    const plan = instance.current as StepPlan<SimRequest>;
    const start_s = instance.current_start_s;
    const duration_s = instance.current_duration_s;
    const now = this.sim.now_s;
    instance.current = undefined;
    this.#stepping--;
    instance.steps++;
    // A request suspended by a migration's last stage mid-iteration cannot be in the plan:
    // suspension waits for the iteration to end.
    for (const p of plan.prefills) p.seq.exec_s += duration_s;
    for (const d of plan.decodes) d.seq.exec_s += duration_s;
    const onStep = this.options.observer?.step;
    if (onStep !== undefined) onStep(stepRecord(instance.id, start_s, duration_s, plan));
    const outcome = instance.engine.update(plan, isDone);
    const delivered_s = this.#delivered(now);
    for (const request of outcome.emitted) {
      const gap_s = request.markToken(delivered_s);
      if (!Number.isNaN(gap_s)) this.tokenGaps.add(gap_s * 1e3);
    }
    for (const request of outcome.prefilled) {
      if (request.readmitted !== undefined) {
        request.recomputes.push({ ...request.readmitted, end_s: now });
        request.readmitted = undefined;
      }
    }
    for (const request of outcome.finished) this.complete(instance, request);
    if (this.options.checkInvariants === true) instance.engine.checkBlocks();
    this.publishReport(instance);
    this.kick(instance);
    this.removeIfDrained(instance);
  }

  /** Bookkeeping of a request its engine finished (and freed). */
  private complete(instance: SimInstance, request: SimRequest): void {
    request.finish_s = this.#delivered(this.sim.now_s);
    if (request.finish_s > this.#lastFinish_s) this.#lastFinish_s = request.finish_s;
    this.#inFlight.delete(request);
    if (request.priority === 'high') instance.high_priority--;
    this.#finished++;
    this.options.observer?.request?.(requestRecord(request));
    this.release();
  }

  private publishReport(instance: SimInstance): void {
    // In place: `#reports` holds each instance's one report object (see SimInstance.refreshReport).
    instance.refreshReport(this.sim.now_s);
    this.#changed(instance.slot);
    this.#reports_total++;
    this.#instancesAtReports += this.instances.length;
    for (const pair of this.scheduler.onReport(this.view())) this.tryMigrate(pair.from, pair.to);
  }

  /** Applies a migration decision if it is still feasible on live state. */
  tryMigrate(from: number, to: number): string | undefined {
    const src = this.instances[this.indexOf(from)];
    const dst = this.instances[this.indexOf(to)];
    const limit = this.options.migration.max_concurrent_per_instance;
    if (src === undefined || dst === undefined || src === dst) return 'no such pair';
    if (dst.state !== 'active') return 'destination not active';
    if (src.migrations_in_flight >= limit || dst.migrations_in_flight >= limit) return 'migration limit';
    const candidates: LocalRequestView[] = [];
    const byId = new Map<number, SimRequest>();
    src.engine.running.forEach((r, admit_order) => {
      if (r.migrating || r.in_prefill || r.generated < 1) return;
      byId.set(r.id, r);
      candidates.push({
        id: r.id,
        arrival_s: r.arrival_s,
        priority: r.priority,
        length_tokens: r.num_tokens,
        output_tokens: r.generated,
        admit_order,
        migrating: false,
      });
    });
    const chosen = this.scheduler.selectRequest(candidates, { draining: src.state === 'terminating' });
    const request = chosen === undefined ? undefined : byId.get(chosen);
    if (request === undefined) return 'no eligible request';
    new LiveMigration(
      {
        sim: this.sim,
        params: this.options.migration,
        copy: this.options.copy,
        kick: (instance) => this.kick(instance),
        touched: (instance) => this.#touched(instance),
        done: (record) => {
          this.migrations.push(record);
          this.options.observer?.migration?.(record);
          this.removeIfDrained(src);
        },
      },
      request,
      src,
      dst,
    );
    return undefined;
  }
}

/** The neutral record of a step, read before `update` (contexts as planned). */
function stepRecord(instance: number, start_s: number, duration_s: number, plan: StepPlan<SimRequest>): StepRecord {
  const { prefill_tokens, prefill_context_tokens, decode_context_tokens } = batchTokens(plan);
  const context_tokens = prefill_context_tokens + decode_context_tokens;
  return {
    instance, start_s, duration_s, prefill_seqs: plan.prefills.length, prefill_tokens, decode_seqs: plan.decodes.length, context_tokens, preemptions: plan.preempted.length,
  };
}

/** The simulator's stop condition: the trace's output length (the client's max_tokens with ignore_eos). */
function isDone(request: SimRequest): boolean {
  return request.done;
}
