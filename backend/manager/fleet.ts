// The real fleet's manager: instance processes, a ClusterView built from their step reports
// (wall-clock time), and the same policies/ GlobalScheduler the simulator runs deciding where
// each request goes. To an API server it is one GenerationEngine per model.
import { parseConfig } from '../../config/index.ts';
import type { StepRecord } from '../../metrics/index.ts';
import { createScheduler, SchedulerSpec, type ClusterView, type GlobalScheduler, type InstanceReport, type InstanceState, type SchedulerSpecInput } from '../../policies/index.ts';
import type { LLMEngineOptions, StepTiming } from '../engine/llm-engine.ts';
import type { EngineStats, GenerationDelta, GenerationEngine, GenerationRequest, TextTokenizer } from '../engine/types.ts';
import { loadTokenizer, readModelFolder, resolveModelDir } from '../model/index.ts';
import type { LastStageMode, MigrateOutReply, ReportMessage } from '../rpc/messages.ts';
import { InstanceClient } from '../rpc/instance-client.ts';
import type { HeartbeatParams, NodeSpec } from './agent-instances.ts';
import { Autoscaler } from './autoscaler.ts';
import { ExternalInstance, type ExternalInstanceSpec } from './external-instance.ts';
import { followStream } from './follow-stream.ts';
import { instanceSource, type InstanceHandle, type InstanceSource } from './instance-source.ts';
import { UNIX_ORIGIN_MS } from '../rpc/machine-clock.ts';

export interface FleetOptions {
  /** Instance processes to start on this machine. */
  readonly instances: number;
  /** Engine of every instance (model, KV blocks, threads, …). */
  readonly engine: LLMEngineOptions;
  /** The same `scheduler:` section a simulation config takes. */
  readonly scheduler: SchedulerSpecInput;
  readonly host?: string;
  /** Live migration between instances (Llumnix's stages). */
  readonly migration?: MigrationParams;
  /** Existing OpenAI-compatible servers (e.g. vLLM) the manager also dispatches to; never migrated. */
  readonly external?: readonly ExternalInstanceSpec[];
  /** Node agents that start the instances on their machines (instead of `instances` here). */
  readonly nodes?: readonly NodeSpec[];
  /** How often agents report and how many missed reports make one dead. */
  readonly heartbeat?: HeartbeatParams;
}

export interface MigrationParams {
  /** Stages at most before the source gives up (Llumnix: 3). */
  readonly max_stages: number;
  /** The last stage (request suspended) starts when at most this many blocks are left (Llumnix: 16). */
  readonly last_stage_max_blocks: number;
  /** Migrations at once per instance, as source or destination (Llumnix's MAX_MIGRATION_CONCURRENCY). */
  readonly max_concurrency: number;
  /**
   * `suspend` (default, Llumnix's): the request waits for the last stage's copy and COMMIT.
   * `snapshot`: it keeps decoding while a snapshot is copied and committed, the destination
   * catches up from the tokens the source streams to it, and the client switches once it has
   * (follow-stream.ts); needs vllm-v1 instances.
   */
  readonly last_stage_mode?: LastStageMode;
}

export const DEFAULT_MIGRATION: MigrationParams = { max_stages: 3, last_stage_max_blocks: 16, max_concurrency: 1 };

/** One migration the manager started, as it ended. */
export interface MigrationRecord extends MigrateOutReply {
  readonly from: number;
  readonly to: number;
  readonly started_s: number;
  /** When the manager had the source's reply. */
  readonly ended_s: number;
}

/** What the manager needs of an instance's process: an instance process, or an external server (backend/manager/external-instance.ts). */
export type MemberProcess = Pick<InstanceHandle, 'pid' | 'host' | 'port' | 'kv_port' | 'max_model_len' | 'exited' | 'stop'> & Partial<Pick<InstanceHandle, 'death_known_ms' | 'node'>>;
/** What the manager calls on an instance: the gRPC client, or an external server's HTTP adapter. */
export type MemberClient = Pick<InstanceClient, 'generate' | 'attach' | 'subscribeReports' | 'migrateOut' | 'close'> & Partial<Pick<InstanceClient, 'abandon' | 'abort'>>;

interface Member {
  readonly id: number;
  readonly process: MemberProcess;
  readonly client: MemberClient;
  /** External servers are never paired for migration. */
  readonly migratable: boolean;
  /** Its first report counts as reported (started by a scale-up, or polled; as the simulator's activation). */
  readonly reported_on_join: boolean;
  state: InstanceState;
  report: InstanceReport;
  alive: boolean;
}

export class FleetError extends Error {
  override readonly name = 'FleetError';
}

export class Fleet implements GenerationEngine {
  readonly model_name: string;
  readonly max_model_len: number;
  readonly tokenizer: TextTokenizer;
  readonly scheduler: GlobalScheduler;
  readonly #members: Member[];
  readonly #dispatched: number[];
  /** The instance serving each client stream now, by request id (a draining instance stops once it serves none). */
  readonly #servedBy = new Map<string, number>();
  readonly #autoscaler: Autoscaler | undefined;
  readonly #stepListeners = new Set<(record: StepRecord) => void>();
  readonly #engineStepListeners = new Set<(instance: number, step: StepTiming) => void>();
  readonly #source: InstanceSource;
  readonly #t0_ms = performance.now();
  readonly #migration: MigrationParams;
  readonly #selectorJson: string | undefined;
  /** Migrations in flight per instance id (as source or destination). */
  readonly #migrating: number[];
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Every migration the manager started, in the order they ended. */
  readonly migrations: MigrationRecord[] = [];
  readonly #migrationListeners = new Set<(record: MigrationRecord) => void>();
  /** Requests resumed on another instance after theirs died. */
  failovers = 0;
  #reportsTotal = 0;
  #stopped = false;

  private constructor(name: string, tokenizer: TextTokenizer, scheduler: GlobalScheduler, spec: SchedulerSpec, members: Member[], maxModelLen: number, migration: MigrationParams, opts: FleetOptions, source: InstanceSource) {
    this.#source = source;
    this.model_name = name;
    this.tokenizer = tokenizer;
    this.scheduler = scheduler;
    this.#members = members;
    this.#dispatched = members.map(() => 0);
    this.#migrating = members.map(() => 0);
    this.max_model_len = maxModelLen;
    this.#migration = migration;
    this.#selectorJson = spec.selector === undefined ? undefined : JSON.stringify(spec.selector);
    this.#autoscaler =
      scheduler.scaling === undefined ? undefined : new Autoscaler(this, scheduler, () => source.startOne(opts.engine));
  }

  static async start(opts: FleetOptions): Promise<Fleet> {
    const least = (opts.external?.length ?? 0) > 0 ? 0 : 1;
    if (opts.nodes === undefined && (!Number.isInteger(opts.instances) || opts.instances < least)) throw new FleetError(`instances = ${opts.instances}; expected an integer >= ${least}${least === 1 ? ' (or external servers)' : ''}`);
    const spec = parseConfig(SchedulerSpec, opts.scheduler, 'scheduler');
    const scheduler = createScheduler(spec);
    const folder = await readModelFolder(await resolveModelDir(opts.engine.model));
    const tokenizer = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
    const source = instanceSource(opts);
    const processes: InstanceHandle[] = opts.nodes === undefined && opts.instances === 0 ? [] : await source.startAll(opts.engine);
    const externals: ExternalInstance[] = [];
    try {
      for (const [i, e] of (opts.external ?? []).entries()) externals.push(await ExternalInstance.connect(e, tokenizer, `external[${i}]`));
    } catch (err) {
      await Promise.all([...processes, ...externals].map((p) => p.stop()));
      await source.close();
      throw err;
    }
    const members = [
      ...processes.map((p) => newMember(0, p, new InstanceClient(`${p.host}:${p.port}`), true)),
      ...externals.map((e) => newMember(0, e, e, false)),
    ].map((m, id) => ({ ...m, id, report: { ...m.report, id } }));
    const maxModelLen = Math.min(...members.map((m) => m.process.max_model_len));
    const fleet = new Fleet(opts.engine.model, tokenizer, scheduler, spec, members, maxModelLen, opts.migration ?? DEFAULT_MIGRATION, opts, source);
    for (const m of members) fleet.#watch(m);
    source.onRejoin?.((handle) => {
      if (fleet.#stopped) void handle.stop();
      else fleet.join(handle);
    });
    fleet.#autoscaler?.start();
    return fleet;
  }

  /** A started instance process joins the fleet (auto-scaling): active, and dispatched to once it reports. Returns its id. */
  join(process: InstanceHandle): number {
    const m = newMember(this.#members.length, process, new InstanceClient(`${process.host}:${process.port}`), true, true);
    this.#members.push(m);
    this.#dispatched.push(0);
    this.#migrating.push(0);
    this.#watch(m);
    return m.id;
  }

  /** Marks a live instance `active` or `terminating` (a terminating one gets no new requests). */
  setState(id: number, state: 'active' | 'terminating'): void {
    const m = this.#members[id];
    if (m === undefined || !m.alive) throw new FleetError(`instance ${id} is not a live instance of this fleet`);
    m.state = state;
    m.report = { ...m.report, state };
  }

  /** Stops a (drained) instance's process; it leaves the view. */
  async retire(id: number): Promise<void> {
    const m = this.#members[id];
    if (m === undefined) throw new FleetError(`instance ${id} is not an instance of this fleet`);
    m.alive = false;
    m.client.close();
    await m.process.stop();
  }

  /** Live instances with how many client streams each serves now and its migrations in flight. */
  members(): { id: number; state: InstanceState; migratable: boolean; streams: number; migrations: number; report: InstanceReport }[] {
    const streams = this.#members.map(() => 0);
    for (const id of this.#servedBy.values()) streams[id]!++;
    return this.#members.filter((m) => m.alive).map((m) => ({
      id: m.id, state: m.state, migratable: m.migratable, streams: streams[m.id] ?? 0, migrations: this.#migrating[m.id] ?? 0, report: m.report,
    }));
  }

  /** The autoscaler's record of scale-ups and scale-downs (undefined for a fixed fleet). */
  get scaling(): Autoscaler | undefined {
    return this.#autoscaler;
  }

  /** Seconds since the manager started (the port's clock in the real world). */
  get now_s(): number {
    return (performance.now() - this.#t0_ms) / 1e3;
  }

  view(): ClusterView {
    const live = this.#members.filter((m) => m.alive);
    return {
      now_s: this.now_s,
      instances: live.map((m) => m.report),
      dispatched: live.map((m) => this.#dispatched[m.id] ?? 0),
      reports_total: this.#reportsTotal,
    };
  }

  /** The fleet's load from the latest reports: requests summed, KV usage averaged over live instances. */
  stats(): EngineStats {
    const live = this.#members.filter((m) => m.alive);
    let running = 0;
    let waiting = 0;
    let usage = 0;
    for (const m of live) {
      running += m.report.running;
      waiting += m.report.waiting;
      usage += 1 - m.report.free_blocks / m.report.total_blocks;
    }
    return { num_requests_running: running, num_requests_waiting: waiting, kv_cache_usage_perc: live.length === 0 ? 0 : usage / live.length };
  }

  /** Requests dispatched to each instance so far, by instance id. */
  get dispatched(): readonly number[] {
    return this.#dispatched;
  }

  /** Pids of the instance processes this manager started and still runs (external servers have none). */
  get pids(): readonly number[] {
    return this.#members.filter((m) => m.alive && m.process.pid > 0).map((m) => m.process.pid);
  }

  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const member = this.#dispatch(request);
    return this.#released(request.request_id, this.#follow(request, member, member.client.generate(request, signal), signal));
  }

  /** The stream, forgotten by the instance bookkeeping once it ends (however it ends). */
  async *#released(request_id: string, stream: AsyncIterable<GenerationDelta>): AsyncIterable<GenerationDelta> {
    try {
      yield* stream;
    } finally {
      this.#servedBy.delete(request_id);
    }
  }

  /** The instance the scheduler picks for `request` (counted as dispatched there). */
  #dispatch(request: GenerationRequest): Member {
    const verdict = this.scheduler.dispatch(
      { id: this.#dispatched.reduce((a, b) => a + b, 0), prompt_tokens: request.prompt_token_ids.length, priority: request.priority ?? 'normal' },
      this.view(),
    );
    if (!verdict.ok) throw new FleetError(`no instance can take request ${request.request_id}: ${verdict.policy}: ${verdict.reasons.join('; ')}`);
    const member = this.#members[verdict.value];
    if (member === undefined || !member.alive) throw new FleetError(`dispatch policy ${verdict.policy} chose instance ${verdict.value}, which is not serving`);
    this.#dispatched[member.id] = (this.#dispatched[member.id] ?? 0) + 1;
    this.#servedBy.set(request.request_id, member.id);
    return member;
  }

  /** The client's one stream across migrations and failures (follow-stream.ts); a dead instance's requests are dispatched again. */
  #follow(request: GenerationRequest, first: Member, stream: AsyncIterable<GenerationDelta>, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    return followStream(request, { instance: first, stream }, {
      died: async (member) => !(member.alive && (await this.#stillAlive(member))),
      resume: (resumed) => {
        this.failovers++;
        const member = this.#dispatch(resumed);
        return { instance: member, stream: member.client.generate(resumed, signal) };
      },
      moved: (address, _from, ahead) => {
        const to = this.#memberAt(address, request.request_id);
        this.#servedBy.set(request.request_id, to.id);
        return { instance: to, stream: ahead ?? to.client.attach(request.request_id, signal) };
      },
      // The destination's first token then needs no Attach round trip after the COMMIT.
      attachAhead: (address, _from, early) => this.#memberAt(address, request.request_id).client.attach(request.request_id, early),
      // Snapshot last stage: the client switched; the source still decodes the request.
      leave: (from) => void from.client.abort?.(request.request_id).catch(() => undefined),
    }, signal);
  }

  /** The member an instance address (host:port) names. */
  #memberAt(address: string, request_id: string): Member {
    const to = this.#members.find((m) => `${m.process.host}:${m.process.port}` === address);
    if (to === undefined) throw new FleetError(`request ${request_id} migrated to ${address}, which is not an instance of this fleet`);
    return to;
  }

  /** Whether the instance process still runs (a broken stream may be a dead process). */
  async #stillAlive(m: Member): Promise<boolean> {
    const code = await Promise.race([m.process.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), m.process.death_known_ms ?? 1000))]);
    if (code !== undefined) m.alive = false;
    return m.alive;
  }

  /**
   * Live-migrates one running request from instance `from` to `to` (the source's selector
   * picks which). Resolves with the outcome; the request is served either way.
   */
  async migrate(from: number, to: number, opts: { draining?: boolean } = {}): Promise<MigrationRecord> {
    const src = this.#members[from];
    const dst = this.#members[to];
    if (src === undefined || dst === undefined || !src.alive || !dst.alive) throw new FleetError(`cannot migrate from ${from} to ${to}: both must be live instances`);
    if (!src.migratable || !dst.migratable) throw new FleetError(`cannot migrate from ${from} to ${to}: external servers take no part in migration`);
    if (from === to) throw new FleetError(`cannot migrate from instance ${from} to itself`);
    const started_s = this.now_s;
    this.#migrating[from]!++;
    this.#migrating[to]!++;
    try {
      const reply = await src.client.migrateOut({
        dst_address: `${dst.process.host}:${dst.process.port}`, dst_kv_host: dst.process.host, dst_kv_port: dst.process.kv_port,
        selector_json: this.#selectorJson ?? JSON.stringify({ kind: 'LCFS' }), draining: opts.draining ?? false,
        max_stages: this.#migration.max_stages, last_stage_max_blocks: this.#migration.last_stage_max_blocks,
        last_stage_mode: this.#migration.last_stage_mode ?? 'suspend',
      });
      const record: MigrationRecord = { ...reply, from, to, started_s, ended_s: this.now_s };
      this.migrations.push(record);
      for (const listener of this.#migrationListeners) listener(record);
      return record;
    } finally {
      this.#migrating[from]!--;
      this.#migrating[to]!--;
    }
  }

  /** Calls `listener` with every migration as it ends (committed or aborted); returns an unsubscribe. */
  onMigration(listener: (record: MigrationRecord) => void): () => void {
    this.#migrationListeners.add(listener);
    return () => this.#migrationListeners.delete(listener);
  }

  /**
   * Calls `listener` with every engine step of every instance as the engine timed it (its
   * Unix-epoch start, forward and whole-step time), as its report arrives; returns an unsubscribe.
   */
  onEngineStep(listener: (instance: number, step: StepTiming) => void): () => void {
    this.#engineStepListeners.add(listener);
    return () => this.#engineStepListeners.delete(listener);
  }

  /**
   * Calls `listener` with every engine step of every instance (from the report each instance
   * sends after a step), its start on the manager's clock (`now_s`); returns an unsubscribe.
   */
  onStep(listener: (record: StepRecord) => void): () => void {
    this.#stepListeners.add(listener);
    return () => this.#stepListeners.delete(listener);
  }

  /** Runs the scheduler's migration policy on a fresh report (Llumnix: pairing every N·k reports). */
  #onReport(): void {
    if (this.#stopped || this.scheduler.migration === undefined) return;
    const cap = this.#migration.max_concurrency;
    // External servers are left out of the pairing's view: the migration policy never pairs them.
    const view = this.view();
    const migratable = view.instances.map((r) => this.#members[r.id]?.migratable === true);
    const pairable = { ...view, instances: view.instances.filter((_, i) => migratable[i]), dispatched: view.dispatched.filter((_, i) => migratable[i]) };
    for (const pair of this.scheduler.onReport(pairable)) {
      if ((this.#migrating[pair.from] ?? cap) >= cap || (this.#migrating[pair.to] ?? cap) >= cap) continue;
      // A terminating source is being drained (scale-in): its selector may move high-priority requests too, as the simulator's.
      const done = this.migrate(pair.from, pair.to, { draining: this.#members[pair.from]?.state === 'terminating' }).catch(() => undefined);
      this.#inFlight.add(done);
      void done.finally(() => this.#inFlight.delete(done));
    }
  }

  /** Shuts every instance down (Shutdown RPC, then SIGTERM/SIGKILL by pid). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#autoscaler?.stop();
    await Promise.all(this.#inFlight);
    await Promise.all(
      this.#members.map(async (m) => {
        m.alive = false;
        m.client.close();
        await m.process.stop();
      }),
    );
    await this.#source.close();
  }

  #emitStep(instance: number, s: StepTiming): void {
    // Instances stamp steps with the machine's wall clock (rpc/machine-clock.ts), which
    // the manager shares: their processes run on its machine.
    const start_s = (s.started_unix_ms - (UNIX_ORIGIN_MS + this.#t0_ms)) / 1e3;
    const record: StepRecord = {
      instance, start_s, duration_s: s.step_ms / 1e3, prefill_seqs: s.prefill_seqs, prefill_tokens: s.prefill_tokens,
      decode_seqs: s.decode_seqs, context_tokens: s.context_tokens, preemptions: s.preempted,
    };
    for (const listener of this.#stepListeners) listener(record);
  }

  #watch(m: Member): void {
    let first = true;
    m.client.subscribeReports(
      (r: ReportMessage) => {
        const reported = !first || m.reported_on_join;
        first = false;
        if (reported) this.#reportsTotal++;
        m.report = {
          id: m.id, state: m.state, reported: reported || m.report.reported, report_time_s: this.now_s,
          total_blocks: r.total_blocks, watermark_blocks: r.watermark_blocks, free_blocks: r.free_blocks,
          running: r.running, waiting: r.waiting, killed: r.killed, head_waiting_blocks: r.head_waiting_blocks,
          all_waiting_blocks: r.all_waiting_blocks, high_priority: r.high_priority, last_running_blocks: r.last_running_blocks,
          migrations_in_flight: this.#migrating[m.id] ?? 0,
        };
        if (r.step != null) {
          for (const listener of this.#engineStepListeners) listener(m.id, r.step);
          if (this.#stepListeners.size > 0) this.#emitStep(m.id, r.step);
        }
        if (reported) this.#onReport();
      },
      () => {
        // The report stream broke: the instance is gone (or shutting down); it leaves the view.
        m.alive = false;
      },
    );
    void m.process.exited.then(() => {
      m.alive = false;
      // A frozen or unreachable instance keeps its streams open: break them so they fail over.
      m.client.abandon?.();
    });
  }
}

function newMember(id: number, process: MemberProcess, client: MemberClient, migratable: boolean, reported_on_join = !migratable): Member {
  return {
    id, process, client, migratable, reported_on_join, state: 'active', alive: true,
    report: { id, state: 'active', reported: false, report_time_s: 0, total_blocks: 1, watermark_blocks: 0, free_blocks: 1, running: 0, waiting: 0, killed: 0, head_waiting_blocks: 0, all_waiting_blocks: 0, high_priority: 0, last_running_blocks: 0, migrations_in_flight: 0 },
  };
}
