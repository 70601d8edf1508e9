// The serverless fleet's manager (ServerlessLLM's controller, routers and model-loading
// scheduler, on real instance processes): several models, each with its own instances on
// "nodes"; requests routed by `model` (a per-model FIFO queue, least-loaded ready instance);
// per-model auto-scaling and keep-alive (policies/serverless); new instances placed by a
// policies/placement policy over a view built from the real fleet; victims live-migrated by
// tokens (token-migration.ts) or preempted as the decision says. To the API it is an
// EngineRouter: one GenerationEngine per deployed model.
import { desiredInstances, instanceCapacity, leastLoadedInstance, unloadAfterKeepAlive, type ServerlessScalingRule } from '../../policies/serverless/index.ts';
import { createPlacementPolicy, type ModelView, type PlacementDecision, type PlacementPolicy, type PlacementRequest, type PlacementSpecInput, type PlacementView } from '../../policies/placement/index.ts';
import type { DeployConfig } from '../../config/serverless-deploy.ts';
import type { EngineRouter, ServedModel } from '../api/router.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import type { EngineStats, GenerationDelta, GenerationEngine, GenerationRequest, TextTokenizer } from '../engine/types.ts';
import type { InstanceProcess } from '../manager/instance-process.ts';
import { loadTokenizer, readModelFolder, resolveModelDir } from '../model/index.ts';
import { InstanceClient } from '../rpc/instance-client.ts';
import { FleetNode, type NodeSpec } from './node.ts';
import { DEFAULT_TOKEN_MIGRATION, migrateByTokens, type TokenMigrationEvent, type TokenMigrationResult } from './token-migration.ts';
import { buildPlacementView } from './view.ts';
import { migrationLogLine } from './migration-log.ts';
import { statSync } from 'node:fs';

export interface ServerlessFleetOptions {
  readonly nodes: readonly NodeSpec[];
  /** Default: ServerlessLLM's locality-aware placement with live migration. */
  readonly placement?: PlacementSpecInput;
  /** Engine options of every instance (the model comes from the deployment). */
  readonly engine?: Omit<LLMEngineOptions, 'model'>;
  /** Rounds at most of a token migration. */
  readonly max_rounds?: number;
  /** Start-up estimate of a node before any of its instances was measured. Seconds. */
  readonly startup_estimate_s?: number;
  /** Receives every log line (the story of the run). */
  readonly log?: (line: string) => void;
}

export class ServerlessError extends Error {
  override readonly name = 'ServerlessError';
}

interface Tracked {
  readonly request_id: string;
  readonly prompt_tokens: number;
  readonly max_tokens: number;
  generated: number;
}

interface Waiter {
  readonly request: GenerationRequest;
  readonly generated: number;
  resolve(instance: RealInstance): void;
  reject(err: Error): void;
}

interface Deployed {
  readonly name: string;
  readonly config: DeployConfig;
  readonly dir: string;
  readonly size_bytes: number;
  readonly tokenizer: TextTokenizer;
  readonly max_model_len: number;
  readonly rule: ServerlessScalingRule;
  readonly queue: Waiter[];
  readonly instances: Set<RealInstance>;
  pending: number;
  inflight: number;
  /** Measured seconds per decoded token (EWMA over the streams the manager follows). */
  decode_s_per_token: number | undefined;
  deleted: boolean;
}

interface RealInstance {
  readonly id: number;
  readonly model: Deployed;
  readonly node: FleetNode;
  readonly gpus: readonly number[];
  state: 'waiting' | 'loading' | 'ready' | 'migrating' | 'stopped';
  /** Started as a migration destination; joins its model's instances once the migration ends. */
  destination: boolean;
  process: InstanceProcess | undefined;
  client: InstanceClient | undefined;
  readonly requests: Map<string, Tracked>;
  load_started_s: number | undefined;
  ready_s: number | undefined;
  /** After an aborted migration: not offered as a victim again before this time (seconds). */
  no_migration_until_s: number;
  /** Resolves once the process serves (false: it failed to start). */
  started: Promise<boolean>;
}

/** One placement the manager made: the view it showed the policy and the policy's answer. */
export interface PlacementRecord {
  readonly view: PlacementView;
  readonly request: PlacementRequest;
  readonly decision: PlacementDecision;
}

export interface MigrationRecord {
  readonly request_id: string;
  readonly model: string;
  readonly from_instance: number;
  readonly to_instance: number;
  readonly from_node: number;
  readonly to_node: number;
  readonly result: TokenMigrationResult;
  readonly events: readonly TokenMigrationEvent[];
}

/** A stream ended because the manager stopped its instance (preempted): the request goes on elsewhere. */
class InstanceStopped extends Error {}

const RESUME_BASE_S = 0.1;
/** After a failure (a start or a migration), the same choice is not retried before this many seconds. */
const RETRY_AFTER_S = 2;
const DEFAULT_DECODE_S_PER_TOKEN = 0.01;

export class ServerlessFleet implements EngineRouter {
  readonly nodes: readonly FleetNode[];
  readonly policy: PlacementPolicy;
  readonly placements: PlacementRecord[] = [];
  readonly migrations: MigrationRecord[] = [];
  readonly lines: string[] = [];
  /** Requests resumed after their instance died. */
  failovers = 0;
  readonly #models = new Map<string, Deployed>();
  readonly #instances = new Map<number, RealInstance>();
  readonly #pending: PlacementRequest[] = [];
  readonly #t0 = performance.now();
  readonly #options: ServerlessFleetOptions;
  readonly #background = new Set<Promise<unknown>>();
  #nextInstance = 0;
  #placementQueued = false;
  /** No placement before this time (seconds) after a failed start: a failing node is not retried in a loop. */
  #placementHoldUntil_s = 0;
  #stopped = false;

  constructor(options: ServerlessFleetOptions) {
    if (options.nodes.length === 0) throw new ServerlessError('nodes is empty; expected at least one node');
    options.nodes.forEach((n, i) => {
      if (n.id !== i) throw new ServerlessError(`nodes[${i}].id = ${n.id}; expected ${i} (node ids are their index)`);
      if (!Number.isInteger(n.gpus) || n.gpus < 1) throw new ServerlessError(`nodes[${i}].gpus = ${n.gpus}; expected an integer >= 1`);
    });
    this.#options = options;
    this.nodes = options.nodes.map((spec) => new FleetNode(spec));
    this.policy = createPlacementPolicy(options.placement ?? { kind: 'locality-migrate' });
  }

  get now_s(): number {
    return (performance.now() - this.#t0) / 1e3;
  }

  /** Logs `text` (one line per line of it), each stamped with the manager's clock. */
  log(text: string): void {
    for (const line of text.split('\n')) {
      const stamped = `[${this.now_s.toFixed(3).padStart(8)} s] ${line}`;
      this.lines.push(stamped);
      this.#options.log?.(stamped);
    }
  }

  // ── deployment ─────────────────────────────────────────────────────────────────────────

  /** Registers a model (ServerlessLLM's /register): its checkpoint's nodes, scaling and router config. */
  async deploy(config: DeployConfig): Promise<void> {
    if (this.#models.has(config.model)) throw new ServerlessError(`model "${config.model}" is already deployed; delete it first`);
    const placement = config.placement_config;
    const disk = placement.local_disk ?? [0];
    const dram = placement.memory_pool ?? [];
    for (const [field, ids] of [['placement_config.local_disk', disk], ['placement_config.memory_pool', dram]] as const) {
      for (const id of ids) if (this.nodes[id] === undefined) throw new ServerlessError(`${field} names node ${id}; expected a node id below ${this.nodes.length}`);
    }
    if (config.num_gpus > Math.max(...this.nodes.map((n) => n.owner.length))) {
      throw new ServerlessError(`num_gpus = ${config.num_gpus}; expected at most the largest node's ${Math.max(...this.nodes.map((n) => n.owner.length))} slots`);
    }
    const dir = await resolveModelDir(config.backend_config.pretrained_model_name_or_path ?? config.model);
    const folder = await readModelFolder(dir);
    const tokenizer = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
    const engine = this.#options.engine ?? {};
    const capacity = (engine.num_kv_blocks ?? 1024) * (engine.block_size_tokens ?? 16);
    const max_model_len = engine.max_model_len ?? Math.min(folder.arch.max_position_embeddings, capacity);
    const size_bytes = folder.files.reduce((s, f) => s + statSync(f).size, 0);
    const model: Deployed = {
      name: config.model, config, dir, size_bytes, tokenizer, max_model_len, rule: config.auto_scaling_config,
      queue: [], instances: new Set(), pending: 0, inflight: 0, decode_s_per_token: undefined, deleted: false,
    };
    this.#models.set(config.model, model);
    for (const id of disk) this.nodes[id]!.ssd.add(config.model);
    for (const id of dram) {
      this.nodes[id]!.ssd.add(config.model);
      this.nodes[id]!.dram.add(config.model);
    }
    this.log(`Deployed ${config.model} (${(size_bytes / 1e6).toFixed(1)} MB): on disk of node(s) ${[...new Set([...disk, ...dram])].join(', ')}${dram.length > 0 ? `, in DRAM of node(s) ${dram.join(', ')}` : ''}; migration_delta ${config.router_config.migration_delta}`);
    this.#autoscale(model);
  }

  /** Removes a model (ServerlessLLM's /delete): queued requests fail, idle instances stop, busy ones when they finish. */
  async delete(name: string): Promise<void> {
    const model = this.#models.get(name);
    if (model === undefined) throw new ServerlessError(`model "${name}" is not deployed; deployed: ${[...this.#models.keys()].join(', ') || 'none'}`);
    model.deleted = true;
    this.#models.delete(name);
    for (const w of model.queue.splice(0)) w.reject(new ServerlessError(`model "${name}" was deleted`));
    for (let k = this.#pending.length - 1; k >= 0; k--) if (this.#pending[k]?.model === name) this.#pending.splice(k, 1);
    model.pending = 0;
    await Promise.all([...model.instances].filter((i) => i.requests.size === 0).map((i) => this.#stop(i, 'model deleted')));
    this.log(`Deleted ${name}`);
  }

  // ── EngineRouter ───────────────────────────────────────────────────────────────────────

  models(): readonly ServedModel[] {
    return [...this.#models.values()].map((m) => ({ name: m.name, max_model_len: m.max_model_len }));
  }

  pick(name: string): GenerationEngine | undefined {
    const model = this.#models.get(name);
    if (model === undefined) return undefined;
    return {
      model_name: model.name,
      max_model_len: model.max_model_len,
      tokenizer: model.tokenizer,
      generate: (request, signal) => this.#serve(model, request, signal),
      stats: () => this.#stats(model),
    };
  }

  stats(name: string): EngineStats | undefined {
    const model = this.#models.get(name);
    return model === undefined ? undefined : this.#stats(model);
  }

  #stats(model: Deployed): EngineStats {
    let running = 0;
    for (const i of model.instances) running += i.requests.size;
    return { num_requests_running: running, num_requests_waiting: model.queue.length, kv_cache_usage_perc: 0 };
  }

  /** Live instances: model, node, state (tests and the example). */
  instances(): { id: number; model: string; node: number; state: RealInstance['state']; pid: number | undefined }[] {
    return [...this.#instances.values()].filter((i) => i.state !== 'stopped').map((i) => ({ id: i.id, model: i.model.name, node: i.node.id, state: i.state, pid: i.process?.pid }));
  }

  // ── requests ───────────────────────────────────────────────────────────────────────────

  /**
   * The client's one stream: queued until an instance has room, followed across token
   * migrations (`migrated_to` → Attach on the destination) and, when its instance dies,
   * resumed on another one from the tokens already streamed. No token lost or repeated.
   */
  async *#serve(model: Deployed, request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const produced: number[] = [...(request.resume_output_token_ids ?? [])];
    model.inflight++;
    this.#autoscale(model);
    let instance: RealInstance | undefined;
    let lastToken_ms: number | undefined;
    try {
      instance = await this.#acquire(model, request, produced.length, signal);
      let stream = instance.client!.generate(request, signal);
      for (;;) {
        let next: string | undefined;
        try {
          for await (const d of stream) {
            if (d.migrated_to !== undefined) {
              next = d.migrated_to;
              continue;
            }
            if (d.finish_reason === 'abort' && signal?.aborted !== true && instance.state === 'stopped') throw new InstanceStopped();
            produced.push(...d.token_ids);
            const tracked = instance.requests.get(request.request_id);
            if (tracked !== undefined) tracked.generated = produced.length;
            const now = performance.now();
            if (lastToken_ms !== undefined && d.token_ids.length > 0) this.#measureDecode(model, (now - lastToken_ms) / 1e3 / d.token_ids.length);
            lastToken_ms = now;
            yield d;
            if (d.finish_reason !== undefined) return;
          }
        } catch (err) {
          if (!(err instanceof InstanceStopped) && (signal?.aborted === true || (await this.#alive(instance)))) throw err;
          // Its instance died: resume elsewhere from the tokens the client already has.
          this.failovers++;
          this.#untrack(instance, request.request_id);
          this.log(`Instance ${instance.id} (${model.name}) died; resuming request ${request.request_id} from its ${produced.length} output tokens`);
          const resumed: GenerationRequest = { ...request, resume_output_token_ids: [...produced] };
          instance = await this.#acquire(model, resumed, produced.length, signal);
          stream = instance.client!.generate(resumed, signal);
          lastToken_ms = undefined;
          continue;
        }
        if (next === undefined) return;
        const to = [...this.#instances.values()].find((i) => i.client?.address === next);
        if (to === undefined) throw new ServerlessError(`request ${request.request_id} migrated to ${next}, which is not an instance of this fleet`);
        const tracked = instance.requests.get(request.request_id);
        this.#untrack(instance, request.request_id);
        if (tracked !== undefined) to.requests.set(request.request_id, tracked);
        this.log(`Resuming request ${request.request_id} on target instance ${to.id} (node ${to.node.id})`);
        instance = to;
        stream = to.client!.attach(request.request_id, signal);
      }
    } finally {
      if (instance !== undefined) this.#untrack(instance, request.request_id);
      model.inflight--;
      this.#autoscale(model);
    }
  }

  #measureDecode(model: Deployed, s: number): void {
    if (!Number.isFinite(s) || s <= 0) return;
    model.decode_s_per_token = model.decode_s_per_token === undefined ? s : 0.9 * model.decode_s_per_token + 0.1 * s;
  }

  /** Waits for a ready instance of `model` with room; the request is tracked there. */
  #acquire(model: Deployed, request: GenerationRequest, generated: number, signal?: AbortSignal): Promise<RealInstance> {
    if (model.deleted) return Promise.reject(new ServerlessError(`model "${model.name}" was deleted`));
    return new Promise<RealInstance>((resolve, reject) => {
      const waiter: Waiter = { request, generated, resolve, reject };
      model.queue.push(waiter);
      signal?.addEventListener('abort', () => {
        const at = model.queue.indexOf(waiter);
        if (at >= 0) {
          model.queue.splice(at, 1);
          reject(new ServerlessError(`request ${request.request_id} aborted while queued`));
        }
      }, { once: true });
      this.#dispatch(model);
    });
  }

  #dispatch(model: Deployed): void {
    const capacity = instanceCapacity(model.rule);
    while (model.queue.length > 0) {
      const chosen = leastLoadedInstance([...model.instances].map((i) => ({ id: i.id, ready: i.state === 'ready', load: i.requests.size })), capacity);
      if (chosen === undefined) return;
      const instance = this.#instances.get(chosen)!;
      const waiter = model.queue.shift()!;
      const r = waiter.request;
      instance.requests.set(r.request_id, { request_id: r.request_id, prompt_tokens: r.prompt_token_ids.length, max_tokens: r.sampling.max_tokens, generated: waiter.generated });
      waiter.resolve(instance);
    }
  }

  #untrack(instance: RealInstance, request_id: string): void {
    if (!instance.requests.delete(request_id)) return;
    if (instance.requests.size === 0 && instance.state === 'ready') this.#idle(instance);
  }

  async #alive(instance: RealInstance): Promise<boolean> {
    const p = instance.process;
    if (p === undefined) return false;
    const code = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
    if (code !== undefined && instance.state !== 'stopped') {
      this.log(`Instance ${instance.id} (${instance.model.name}) on node ${instance.node.id} exited (${code})`);
      instance.state = 'stopped';
      instance.model.instances.delete(instance);
      this.#released(instance);
    }
    return code === undefined;
  }

  // ── scaling and keep-alive ─────────────────────────────────────────────────────────────

  #current(model: Deployed): number {
    let n = model.pending;
    for (const i of model.instances) if (!i.destination) n++;
    return n;
  }

  #autoscale(model: Deployed): void {
    if (model.deleted || this.#stopped) return;
    const desired = desiredInstances(model.inflight, model.rule);
    const current = this.#current(model);
    if (desired > current) {
      for (let k = current; k < desired; k++) this.#pending.push({ model: model.name, since_s: this.now_s });
      model.pending += desired - current;
      this.#schedulePlacement();
    } else if (desired < current && model.pending > 0) {
      let cancel = Math.min(model.pending, current - desired);
      for (let k = this.#pending.length - 1; k >= 0 && cancel > 0; k--) {
        if (this.#pending[k]?.model !== model.name) continue;
        this.#pending.splice(k, 1);
        model.pending--;
        cancel--;
      }
    }
  }

  #idle(instance: RealInstance): void {
    const model = instance.model;
    const idleSince = this.now_s;
    this.#schedulePlacement();
    const timer = setTimeout(() => {
      if (instance.state === 'stopped') return;
      const check = {
        ready: instance.state === 'ready', load: instance.requests.size, ready_s: instance.ready_s, idle_since_s: idleSince,
        desired: model.deleted ? 0 : desiredInstances(model.inflight, model.rule), current: this.#current(model),
      };
      if (unloadAfterKeepAlive(check)) this.#track(this.#stop(instance, `idle for keep_alive ${model.rule.keep_alive} s`));
    }, model.rule.keep_alive * 1000);
    timer.unref();
  }

  // ── placement ──────────────────────────────────────────────────────────────────────────

  #schedulePlacement(): void {
    if (this.#placementQueued || this.#stopped) return;
    this.#placementQueued = true;
    const run = (): void => {
      this.#placementQueued = false;
      if (!this.#stopped) this.#placeAll();
    };
    const wait_s = this.#placementHoldUntil_s - this.now_s;
    // Not unref'd: a queued request may be waiting for this placement.
    if (wait_s > 0) setTimeout(run, wait_s * 1000);
    else setImmediate(run);
  }

  #modelViews(): Map<string, ModelView> {
    const views = new Map<string, ModelView>();
    for (const m of this.#models.values()) {
      const decode = m.decode_s_per_token ?? DEFAULT_DECODE_S_PER_TOKEN;
      // Recomputing ~10 tokens costs about one decode step (paper §6: KV of ~1000 tokens ≈ 100 decodes).
      views.set(m.name, { name: m.name, size_bytes: m.size_bytes, gpus_per_instance: m.config.num_gpus, resume_s_per_token: decode / 10, resume_base_s: RESUME_BASE_S, decode_s_per_token: decode });
    }
    return views;
  }

  /** The view a placement policy sees now. */
  view(): PlacementView {
    const now_s = this.now_s;
    const facts = [...this.#instances.values()].map((i) => ({
      id: i.id, model: i.model.name, node: i.node.id, gpus: i.gpus, load_started_s: i.load_started_s,
      // A source whose migration just aborted shows as `migrating` (not a victim) for a while,
      // so the policy does not plan the same failing migration again at once.
      state: i.state === 'ready' && now_s < i.no_migration_until_s ? ('migrating' as const) : i.state,
      inferences: [...i.requests.values()].map((r, k) => ({ request: k, prompt_tokens: r.prompt_tokens, generated_tokens: r.generated, max_tokens: r.max_tokens })),
    }));
    return buildPlacementView(now_s, this.nodes, this.#modelViews(), facts, this.#options.startup_estimate_s ?? 2);
  }

  #placeAll(): void {
    const rejected = new Set<string>();
    for (const request of [...this.#pending]) {
      if (rejected.has(request.model)) continue;
      const model = this.#models.get(request.model);
      if (model === undefined) continue;
      const view = this.view();
      const decision = this.policy.place(request, view);
      this.placements.push({ view, request, decision });
      if (decision.kind === 'reject') {
        rejected.add(request.model);
        this.log(`No node for ${request.model} now (${decision.policy}): ${decision.reasons.join('; ')}`);
        continue;
      }
      this.#pending.splice(this.#pending.indexOf(request), 1);
      model.pending--;
      this.#apply(model, decision);
    }
  }

  #newInstance(model: Deployed, node: FleetNode, gpus: readonly number[], destination: boolean): RealInstance {
    const instance: RealInstance = {
      id: this.#nextInstance++, model, node, gpus, state: 'waiting', destination, process: undefined, client: undefined,
      requests: new Map(), load_started_s: undefined, ready_s: undefined, no_migration_until_s: 0, started: Promise.resolve(false),
    };
    for (const g of gpus) {
      if (node.reserved[g] !== undefined) throw new ServerlessError(`slot ${g} of node ${node.id} is already promised to instance ${node.reserved[g]}`);
      node.reserved[g] = instance.id;
    }
    this.#instances.set(instance.id, instance);
    if (!destination) model.instances.add(instance);
    return instance;
  }

  #apply(model: Deployed, decision: PlacementDecision & { kind: 'place' }): void {
    const node = this.nodes[decision.node]!;
    const instance = this.#newInstance(model, node, decision.gpus, false);
    const plans = decision.victims.filter((v) => v.action === 'migrate');
    this.log(`Placement (${decision.policy}): ${model.name} on node ${node.id} from ${decision.tier}, estimated start-up ${decision.estimated_startup_s.toFixed(3)} s${plans.length > 0 ? ` after migrating instance(s) ${plans.map((p) => p.instance).join(', ')}` : ''}`);
    for (const victim of decision.victims) {
      const v = this.#instances.get(victim.instance);
      if (v === undefined) throw new ServerlessError(`policy ${decision.policy} named instance ${victim.instance}, which does not exist`);
      if (victim.action === 'migrate') {
        this.#track(this.#migrateInstance(v, this.nodes[victim.to.node]!, victim.to.gpus, decision.estimated_startup_s));
      } else {
        this.log(`Preempting ${victim.idle ? 'idle' : 'busy'} instance ${v.id} (${v.model.name}) on node ${v.node.id} for ${model.name}`);
        this.#track(this.#stop(v, 'preempted'));
      }
    }
    this.#startIfFree(instance);
  }

  /** A waiting instance starts once none of its slots is owned by another instance. */
  #startIfFree(instance: RealInstance): void {
    if (instance.state !== 'waiting' || this.#stopped) return;
    const node = instance.node;
    if (instance.gpus.some((g) => node.owner[g] !== undefined && node.owner[g] !== instance.id)) return;
    for (const g of instance.gpus) {
      node.owner[g] = instance.id;
      node.reserved[g] = undefined;
    }
    instance.state = 'loading';
    instance.load_started_s = this.now_s;
    if (!instance.destination) this.log(`Allocated node ${node.id} for model ${instance.model.name} (instance ${instance.id})`);
    instance.started = this.#launch(instance);
    this.#track(instance.started);
  }

  async #launch(instance: RealInstance): Promise<boolean> {
    const model = instance.model;
    const t0 = performance.now();
    try {
      instance.process = await instance.node.launcher.start({ ...this.#options.engine, model: model.dir });
    } catch (err) {
      this.log(`Instance ${instance.id} (${model.name}) on node ${instance.node.id} failed to start: ${err instanceof Error ? err.message : String(err)}`);
      instance.state = 'stopped';
      model.instances.delete(instance);
      instance.node.release(instance.id);
      this.#placementHoldUntil_s = this.now_s + RETRY_AFTER_S;
      this.#autoscale(model);
      this.#schedulePlacement();
      return false;
    }
    const startup_s = (performance.now() - t0) / 1e3;
    instance.client = new InstanceClient(`${instance.process.host}:${instance.process.port}`);
    instance.node.startups_s.push(startup_s);
    instance.node.ssd.add(model.name);
    instance.node.dram.add(model.name);
    void instance.process.exited.then(() => void this.#alive(instance));
    if (instance.state === 'stopped' || this.#stopped) {
      // Stopped while it started (model deleted, fleet stopping).
      instance.client.close();
      await instance.process.stop();
      return false;
    }
    this.log(`Initialized backend for instance ${instance.id} (${model.name}) on node ${instance.node.id}: start-up ${startup_s.toFixed(3)} s`);
    if (!instance.destination) {
      instance.state = 'ready';
      instance.ready_s = this.now_s;
      this.#dispatch(model);
      if (instance.requests.size === 0) this.#idle(instance);
    }
    return true;
  }

  // ── migration and stopping ─────────────────────────────────────────────────────────────

  /** Live-migrates every request of `source` to a new instance on `target` (token-based, §6). */
  async #migrateInstance(source: RealInstance, target: FleetNode, gpus: readonly number[], estimate_s: number): Promise<void> {
    const model = source.model;
    source.state = 'migrating';
    const tokens = [...source.requests.values()].reduce((s, r) => s + r.prompt_tokens + r.generated, 0);
    this.log(`Executing migration plan: MigrationPlan(target_node=${target.id}, source_instance=InstanceStatus(instance=${source.id}, node=${source.node.id}, model=${model.name}, num_current_tokens=${tokens})); estimated start-up of the new instance ${estimate_s.toFixed(3)} s`);
    const destination = this.#newInstance(model, target, gpus, true);
    this.#startIfFree(destination);
    const ok = await destination.started;
    let aborted = !ok;
    if (ok && source.client !== undefined) {
      for (const request_id of [...source.requests.keys()]) {
        const events: TokenMigrationEvent[] = [];
        const result = await migrateByTokens(request_id, {
          source: source.client, destination: destination.client!,
          sourceAlive: async () => source.process !== undefined && (await Promise.race([source.process.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 500))])),
        }, { migration_delta: model.config.router_config.migration_delta, max_rounds: this.#options.max_rounds ?? DEFAULT_TOKEN_MIGRATION.max_rounds }, (e) => {
          events.push(e);
          this.log(migrationLogLine(e));
        });
        this.migrations.push({ request_id, model: model.name, from_instance: source.id, to_instance: destination.id, from_node: source.node.id, to_node: target.id, result, events });
        if (result.outcome === 'committed') this.log(`Migrated instance ${source.id} to ${destination.id} (request ${request_id}: ${result.rounds} round(s), ${result.recomputed_tokens} tokens recomputed, downtime ${result.downtime_ms.toFixed(1)} ms, total ${result.total_ms.toFixed(0)} ms)`);
        if (result.outcome === 'aborted') aborted = true;
      }
    }
    if (aborted) {
      // §6.3: the source keeps serving; whoever waited for its slots is placed again.
      this.log(`Migration of instance ${source.id} aborted; it keeps serving on node ${source.node.id}`);
      await this.#stop(destination, 'migration aborted');
      if (source.state === 'migrating') source.state = 'ready';
      source.no_migration_until_s = this.now_s + RETRY_AFTER_S;
      for (const other of [...this.#instances.values()]) {
        if (other.state !== 'waiting' || other.node !== source.node || !other.gpus.some((g) => source.gpus.includes(g))) continue;
        other.state = 'stopped';
        other.model.instances.delete(other);
        other.node.release(other.id);
        other.model.pending++;
        this.#pending.push({ model: other.model.name, since_s: this.now_s });
      }
      this.#dispatch(model);
      if (source.state === 'ready' && source.requests.size === 0) this.#idle(source);
      this.#schedulePlacement();
      return;
    }
    // The destination serves the model from now on (warm if every request finished on the source).
    destination.state = 'ready';
    destination.destination = false;
    destination.ready_s = this.now_s;
    model.instances.add(destination);
    await this.#drained(source);
    await this.#stop(source, 'migrated');
    this.#dispatch(model);
    if (destination.requests.size === 0) this.#idle(destination);
  }

  /** Until the follow loops moved every request off `instance` (their `migrated_to` arrived), at most 5 s. */
  async #drained(instance: RealInstance): Promise<void> {
    const until = performance.now() + 5000;
    while (instance.requests.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  async #stop(instance: RealInstance, why: string): Promise<void> {
    if (instance.state === 'stopped') return;
    const wasLoading = instance.state === 'loading';
    instance.state = 'stopped';
    instance.model.instances.delete(instance);
    if (wasLoading) await instance.started;
    instance.client?.close();
    await instance.process?.stop();
    if (instance.process !== undefined) {
      this.log(`Instance ${instance.id} (${instance.model.name}) removed (${why}); node ${instance.node.id} deallocated ${instance.gpus.length} GPU(s)`);
    }
    this.#released(instance);
  }

  /** The instance's slots are free: instances waiting for them start; placement runs again. */
  #released(instance: RealInstance): void {
    instance.node.release(instance.id);
    for (const other of this.#instances.values()) if (other.node === instance.node) this.#startIfFree(other);
    this.#autoscale(instance.model);
    this.#schedulePlacement();
  }

  #track(p: Promise<unknown>): void {
    const done = p.catch((err: unknown) => this.log(`background task failed: ${err instanceof Error ? err.message : String(err)}`));
    this.#background.add(done);
    void done.finally(() => this.#background.delete(done));
  }

  /** Stops every instance process. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const m of this.#models.values()) for (const w of m.queue.splice(0)) w.reject(new ServerlessError('the fleet is stopping'));
    await Promise.all([...this.#instances.values()].map(async (i) => {
      if (i.state === 'loading') await i.started;
      i.state = 'stopped';
      i.client?.close();
      await i.process?.stop();
    }));
    await Promise.all(this.#background);
  }
}
