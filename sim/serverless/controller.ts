/**
 * The serverless cluster: routers (one FIFO queue per model, requests go to a ready instance
 * with room), the auto-scaler, the placement loop that asks the policy where new instances go
 * and applies its decisions (unload idle victims, preempt, or live-migrate), and keep-alive.
 * Policy logic lives in policies/placement and policies/serverless (routing, scaling,
 * keep-alive); this file only applies decisions.
 */
import type { PlacementDecision, PlacementPolicy, PlacementRequest } from '../../policies/placement/index.ts';
import { Band, type Simulation } from '../kernel/index.ts';
import { desiredInstances, instanceCapacity, leastLoadedInstance, unloadAfterKeepAlive } from '../../policies/serverless/index.ts';
import type { CatalogueEntry } from './catalogue.ts';
import type { ServerlessConfig } from './config.ts';
import { ServerlessInstance, type InstanceHooks } from './instance.ts';
import { loadSeconds, type LoaderParams } from './loader.ts';
import type { SimNode } from './node.ts';
import { ServerlessRequest } from './request.ts';
import { TokenMigration, type MigrationEvent, type MigrationPort } from './token-migration.ts';
import { buildView, modelViews } from './view.ts';
import type { ModelView } from '../../policies/placement/index.ts';

export interface LoadRecord {
  readonly start_s: number;
  readonly end_s: number;
  readonly model: string;
  readonly node: number;
  readonly tier: 'dram' | 'ssd' | 'remote';
  readonly purpose: 'scale' | 'migration';
  readonly ok: boolean;
}

/** Test hooks for failures; a real run has none. */
export interface Faults {
  failLoad?(model: string, node: number, purpose: 'scale' | 'migration'): boolean;
}

class ModelState {
  readonly queue: ServerlessRequest[] = [];
  readonly instances = new Set<ServerlessInstance>();
  pending = 0;
  constructor(readonly entry: CatalogueEntry) {}
}

export class ServerlessController {
  readonly #models = new Map<string, ModelState>();
  readonly #instances = new Map<number, ServerlessInstance>();
  readonly #migrations = new Map<ServerlessInstance, TokenMigration>();
  readonly #pending: PlacementRequest[] = [];
  readonly #views: ReadonlyMap<string, ModelView>;
  #placementScheduled = false;
  readonly #port: MigrationPort;
  readonly loads: LoadRecord[] = [];
  readonly migrationLog: MigrationEvent[] = [];
  readonly decisions: PlacementDecision[] = [];
  preemptions = 0;

  constructor(
    readonly sim: Simulation,
    readonly nodes: readonly SimNode[],
    catalogue: ReadonlyMap<string, CatalogueEntry>,
    readonly loader: LoaderParams,
    readonly policy: PlacementPolicy,
    readonly config: ServerlessConfig,
    readonly faults: Faults = {},
  ) {
    this.#port = this.#makePort();
    for (const entry of catalogue.values()) this.#models.set(entry.name, new ModelState(entry));
    this.#views = modelViews(catalogue);
    for (const state of this.#models.values()) this.#autoscale(state);
  }

  #state(model: string): ModelState {
    const state = this.#models.get(model);
    if (state === undefined) throw new Error(`no model "${model}" in the catalogue`);
    return state;
  }

  submit(request: ServerlessRequest): void {
    const state = this.#state(request.model);
    this.sim.at(request.arrival_s, Band.arrival, () => {
      state.queue.push(request);
      this.#dispatch(state);
      if (state.queue.includes(request)) request.cold_start = true;
      this.#autoscale(state);
    });
  }

  // ── routing and scaling ────────────────────────────────────────────────────────────────
  #dispatch(state: ModelState): void {
    const capacity = instanceCapacity(state.entry.auto_scaling);
    while (state.queue.length > 0) {
      const candidates = [...state.instances].map((i) => ({ id: i.id, ready: i.state === 'ready', load: i.load }));
      const chosen = leastLoadedInstance(candidates, capacity);
      const request = state.queue[0];
      if (chosen === undefined || request === undefined) return;
      state.queue.shift();
      (this.#instances.get(chosen) as ServerlessInstance).add(request);
    }
  }

  #inFlight(state: ModelState): number {
    let n = state.queue.length;
    for (const i of state.instances) n += i.load + (this.#migrations.get(i)?.destination.load ?? 0);
    return n;
  }

  #autoscale(state: ModelState): void {
    const desired = desiredInstances(this.#inFlight(state), state.entry.auto_scaling);
    const current = state.instances.size + state.pending;
    if (desired > current) {
      for (let k = current; k < desired; k++) this.#pending.push({ model: state.entry.name, since_s: this.sim.now_s });
      state.pending += desired - current;
      this.#schedulePlacement();
    } else if (desired < current && state.pending > 0) {
      // Cancel the newest unplaced requests first: nothing was started for them.
      let cancel = Math.min(state.pending, current - desired);
      for (let k = this.#pending.length - 1; k >= 0 && cancel > 0; k--) {
        if (this.#pending[k]?.model !== state.entry.name) continue;
        this.#pending.splice(k, 1);
        state.pending--;
        cancel--;
      }
    }
  }

  #keepAlive(instance: ServerlessInstance): void {
    const state = this.#state(instance.model.name);
    const idleAt = this.sim.now_s;
    this.sim.after(state.entry.auto_scaling.keep_alive, Band.control, () => {
      const check = {
        ready: instance.state === 'ready',
        load: instance.load,
        ready_s: instance.ready_s,
        idle_since_s: idleAt,
        desired: desiredInstances(this.#inFlight(state), state.entry.auto_scaling),
        current: state.instances.size + state.pending,
      };
      if (unloadAfterKeepAlive(check)) this.#stop(instance);
    });
  }

  readonly #hooks: InstanceHooks = {
    finished: (request) => {
      const state = this.#state(request.model);
      this.#dispatch(state);
      this.#autoscale(state);
    },
    idle: (instance) => {
      if (instance.state !== 'ready') return; // a migration source: the migration decides
      instance.ready_s = this.sim.now_s;
      this.#keepAlive(instance);
      this.#schedulePlacement();
    },
  };

  // ── placement ──────────────────────────────────────────────────────────────────────────
  #schedulePlacement(): void {
    if (this.#placementScheduled) return;
    this.#placementScheduled = true;
    this.sim.after(0, Band.control, () => {
      this.#placementScheduled = false;
      this.#placeAll();
    });
  }

  #placeAll(): void {
    const rejected = new Set<string>();
    for (const request of [...this.#pending]) {
      if (rejected.has(request.model)) continue;
      const view = buildView(this.sim.now_s, this.nodes, this.#views, this.#instances.values(), this.loader);
      const decision = this.policy.place(request, view);
      if (decision.kind === 'reject') {
        rejected.add(request.model);
        continue;
      }
      this.#pending.splice(this.#pending.indexOf(request), 1);
      this.#state(request.model).pending--;
      this.decisions.push(decision);
      this.#apply(decision);
    }
  }

  #newInstance(entry: CatalogueEntry, node: SimNode, gpus: readonly number[], destination: boolean): ServerlessInstance {
    const instance = new ServerlessInstance(this.sim.nextId('instance'), entry, node.id, gpus, instanceCapacity(entry.auto_scaling), destination, this.sim, this.#hooks);
    this.#instances.set(instance.id, instance);
    for (const g of gpus) {
      // The GPU may still be owned by a victim that is leaving; it may not be promised twice.
      if (node.reserved[g] !== undefined) throw new Error(`GPU ${g} of node ${node.id} is already reserved by instance ${node.reserved[g]}`);
      node.reserved[g] = instance.id;
    }
    return instance;
  }

  #node(id: number): SimNode {
    const node = this.nodes[id];
    if (node === undefined) throw new Error(`policy named node ${id}, which does not exist`);
    return node;
  }

  #apply(decision: PlacementDecision & { kind: 'place' }): void {
    const state = this.#state(decision.model);
    const node = this.#node(decision.node);
    const instance = this.#newInstance(state.entry, node, decision.gpus, false);
    state.instances.add(instance);
    for (const victim of decision.victims) {
      const v = this.#instances.get(victim.instance);
      if (v === undefined) throw new Error(`policy named instance ${victim.instance}, which does not exist`);
      if (victim.action === 'preempt') {
        if (!victim.idle) this.#preempt(v);
        else this.#stop(v);
      } else {
        const target = this.#node(victim.to.node);
        const destination = this.#newInstance(v.model, target, victim.to.gpus, true);
        const migration = new TokenMigration(v, destination, this.config.migration, this.#port);
        this.#migrations.set(v, migration);
        this.migrationLog.push({
          kind: 'plan',
          time_s: this.sim.now_s,
          source: v.id,
          source_node: v.node,
          target_node: target.id,
          tokens: v.requests.reduce((s, r) => s + r.length_tokens, 0),
          estimate_s: decision.estimated_startup_s,
        });
        migration.start();
      }
    }
    this.#startIfFree(instance);
  }

  #preempt(victim: ServerlessInstance): void {
    this.preemptions++;
    const state = this.#state(victim.model.name);
    const requests = victim.takeAll();
    for (const r of requests) r.restart();
    // Restarted requests keep their place: they go back in arrival order ahead of later ones.
    state.queue.push(...requests);
    state.queue.sort((a, b) => a.arrival_s - b.arrival_s || a.id - b.id);
    this.#stop(victim);
    this.#autoscale(state);
  }

  #stop(instance: ServerlessInstance): void {
    instance.stop();
    this.#state(instance.model.name).instances.delete(instance);
    this.#release(instance);
  }

  #release(instance: ServerlessInstance): void {
    const node = this.#node(instance.node);
    node.release(instance.id);
    for (const other of this.#instances.values()) if (other.node === node.id && other.state === 'waiting') this.#startIfFree(other);
    this.#schedulePlacement();
  }

  /** A waiting instance starts loading once none of its GPUs is owned any more. */
  #startIfFree(instance: ServerlessInstance): void {
    const node = this.#node(instance.node);
    if (instance.state !== 'waiting' || instance.migrationDestination) return;
    if (instance.gpus.some((g) => node.owner[g] !== undefined)) return;
    this.#load(instance, 'scale', (ok) => {
      const state = this.#state(instance.model.name);
      if (!ok) {
        this.#stop(instance);
        this.#autoscale(state);
        return;
      }
      instance.state = 'ready';
      instance.ready_s = this.sim.now_s;
      this.#dispatch(state);
      if (instance.load === 0) this.#hooks.idle(instance);
    });
  }

  #load(instance: ServerlessInstance, purpose: LoadRecord['purpose'], done: (ok: boolean) => void): void {
    const node = this.#node(instance.node);
    for (const g of instance.gpus) {
      node.owner[g] = instance.id;
      node.reserved[g] = undefined;
    }
    instance.state = 'loading';
    const model = instance.model;
    const estimate_s = loadSeconds(this.loader, model.size_bytes, node.stages(node.tierOf(model.name), model.gpus));
    let record: Omit<LoadRecord, 'end_s' | 'ok'> | undefined;
    node.queue.enqueue({
      label: `${model.name}@${node.id}`,
      estimate_s,
      start: () => {
        const tier = node.tierOf(model.name);
        record = { start_s: this.sim.now_s, model: model.name, node: node.id, tier, purpose };
        return loadSeconds(this.loader, model.size_bytes, node.stages(tier, model.gpus));
      },
      done: () => {
        const ok = !(this.faults.failLoad?.(model.name, node.id, purpose) ?? false);
        if (record !== undefined) this.loads.push({ ...record, end_s: this.sim.now_s, ok });
        if (ok) this.#cache(node, model, record?.tier ?? 'remote');
        if (instance.state === 'stopped') return;
        done(ok);
      },
    });
  }

  /** A load passes through DRAM (kept in the pinned pool) and, from remote, may land on SSD. */
  #cache(node: SimNode, model: CatalogueEntry, tier: LoadRecord['tier']): void {
    if (tier === 'remote' && this.config.cluster.cache_downloads_on_ssd) node.ssd.insert(model.name, model.size_bytes);
    else node.ssd.touch(model.name);
    node.dram.insert(model.name, model.size_bytes);
  }

  #makePort(): MigrationPort {
    return {
      sim: this.sim,
      load: (instance, done) => this.#load(instance, 'migration', done),
      record: (event) => this.migrationLog.push(event),
      sourceStopped: (source) => this.#release(source),
      destinationReady: (source, destination) => {
        const state = this.#state(source.model.name);
        source.state = 'stopped';
        state.instances.delete(source);
        this.#migrations.delete(source);
        state.instances.add(destination);
        this.#dispatch(state);
        if (destination.load === 0) this.#hooks.idle(destination);
      },
      aborted: (source, destination) => {
        this.#migrations.delete(source);
        destination.stop();
        this.#release(destination);
        // Whoever waited for the source's GPUs must be placed again.
        const node = this.#node(source.node);
        for (const other of [...this.#instances.values()]) {
          if (other.state !== 'waiting' || other.node !== node.id || !other.gpus.some((g) => source.gpus.includes(g))) continue;
          const state = this.#state(other.model.name);
          this.#stop(other);
          this.#autoscale(state);
        }
        if (source.state === 'ready' && source.load === 0) this.#hooks.idle(source);
      },
    };
  }

  /** Live instances (tests and the examples). */
  instances(): ServerlessInstance[] {
    return [...this.#instances.values()].filter((i) => i.state !== 'stopped');
  }
}
