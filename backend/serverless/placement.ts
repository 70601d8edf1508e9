// Placement of new instances (ServerlessLLM's model-loading scheduler): the auto-scalers'
// requests are shown, one by one, to the policies/placement policy over the view of the real
// fleet (view.ts), and its decisions are applied as the simulator applies them: slots promised
// to the new instance, idle victims unloaded, busy ones preempted or live-migrated. An instance
// starts once none of its slots is owned by another.
import { createPlacementPolicy, type ModelView, type PlacementDecision, type PlacementPolicy, type PlacementView } from '../../policies/placement/index.ts';
import { DEFAULT_DECODE_S_PER_TOKEN, RESUME_BASE_S, ServerlessError, type Deployed, type FleetParts, type FleetState, type RealInstance } from './fleet-state.ts';
import type { FleetNode } from './node.ts';
import { buildPlacementView } from './view.ts';

export class Placement {
  readonly policy: PlacementPolicy;
  #queued = false;
  /** No placement before this time (seconds) after a failed start: a failing node is not retried in a loop. */
  holdUntil_s = 0;

  constructor(private readonly s: FleetState, private readonly p: FleetParts) {
    this.policy = createPlacementPolicy(s.options.placement ?? { kind: 'locality-migrate' });
  }

  /** Runs a placement pass soon (once, however often asked before it runs). */
  schedule(): void {
    if (this.#queued || this.s.stopped) return;
    this.#queued = true;
    const run = (): void => {
      this.#queued = false;
      if (!this.s.stopped) this.#placeAll();
    };
    const wait_s = this.holdUntil_s - this.s.now_s;
    // Not unref'd: a queued request may be waiting for this placement.
    if (wait_s > 0) setTimeout(run, wait_s * 1000);
    else setImmediate(run);
  }

  #modelViews(): Map<string, ModelView> {
    const views = new Map<string, ModelView>();
    for (const m of this.s.models.values()) {
      const decode = m.decode_s_per_token ?? DEFAULT_DECODE_S_PER_TOKEN;
      // Recomputing ~10 tokens costs about one decode step (paper §6: KV of ~1000 tokens ≈ 100 decodes).
      views.set(m.name, { name: m.name, size_bytes: m.size_bytes, gpus_per_instance: m.config.num_gpus, resume_s_per_token: decode / 10, resume_base_s: RESUME_BASE_S, decode_s_per_token: decode });
    }
    return views;
  }

  /** The view a placement policy sees now. */
  view(): PlacementView {
    const now_s = this.s.now_s;
    const names = new Map<string, string[]>();
    for (const m of this.s.models.values()) names.set(m.source, [...(names.get(m.source) ?? []), m.name]);
    for (const node of this.s.nodes) node.syncHoldings(names);
    const facts = [...this.s.instances.values()].map((i) => ({
      id: i.id, model: i.model.name, node: i.node.id, gpus: i.gpus, load_started_s: i.load_started_s,
      // A source whose migration just aborted shows as `migrating` (not a victim) for a while,
      // so the policy does not plan the same failing migration again at once.
      state: i.state === 'ready' && now_s < i.no_migration_until_s ? ('migrating' as const) : i.state,
      inferences: [...i.requests.values()].map((r, k) => ({ request: k, prompt_tokens: r.prompt_tokens, generated_tokens: r.generated, max_tokens: r.max_tokens })),
    }));
    return buildPlacementView(now_s, this.s.nodes, this.#modelViews(), facts, this.s.options.startup_estimate_s ?? 2);
  }

  #placeAll(): void {
    const s = this.s;
    const rejected = new Set<string>();
    for (const request of [...s.pending]) {
      if (rejected.has(request.model)) continue;
      const model = s.models.get(request.model);
      if (model === undefined) continue;
      const view = this.view();
      const decision = this.policy.place(request, view);
      s.placements.push({ view, request, decision });
      if (decision.kind === 'reject') {
        rejected.add(request.model);
        s.log(`No node for ${request.model} now (${decision.policy}): ${decision.reasons.join('; ')}`);
        continue;
      }
      s.pending.splice(s.pending.indexOf(request), 1);
      model.pending--;
      this.#apply(model, decision);
    }
  }

  /** A new instance of `model` on `node`, its slots promised to it (a destination joins its model later). */
  newInstance(model: Deployed, node: FleetNode, gpus: readonly number[], destination: boolean): RealInstance {
    const s = this.s;
    const instance: RealInstance = {
      id: s.nextInstance++, model, node, gpus, state: 'waiting', destination, process: undefined, client: undefined,
      requests: new Map(), load_started_s: undefined, ready_s: undefined, no_migration_until_s: 0, started: Promise.resolve(false),
    };
    for (const g of gpus) {
      if (node.reserved[g] !== undefined) throw new ServerlessError(`slot ${g} of node ${node.id} is already promised to instance ${node.reserved[g]}`);
      node.reserved[g] = instance.id;
    }
    s.instances.set(instance.id, instance);
    if (!destination) model.instances.add(instance);
    return instance;
  }

  #apply(model: Deployed, decision: PlacementDecision & { kind: 'place' }): void {
    const s = this.s;
    const node = s.nodes[decision.node]!;
    const instance = this.newInstance(model, node, decision.gpus, false);
    const plans = decision.victims.filter((v) => v.action === 'migrate');
    s.log(`Placement (${decision.policy}): ${model.name} on node ${node.id} from ${decision.tier}, estimated start-up ${decision.estimated_startup_s.toFixed(3)} s${plans.length > 0 ? ` after migrating instance(s) ${plans.map((p) => p.instance).join(', ')}` : ''}`);
    for (const victim of decision.victims) {
      const v = s.instances.get(victim.instance);
      if (v === undefined) throw new ServerlessError(`policy ${decision.policy} named instance ${victim.instance}, which does not exist`);
      if (victim.action === 'migrate') {
        s.track(this.p.migrations.migrateInstance(v, s.nodes[victim.to.node]!, victim.to.gpus, decision.estimated_startup_s));
      } else {
        s.log(`Preempting ${victim.idle ? 'idle' : 'busy'} instance ${v.id} (${v.model.name}) on node ${v.node.id} for ${model.name}`);
        s.track(this.p.lifecycle.stop(v, 'preempted'));
      }
    }
    this.startIfFree(instance);
  }

  /** A waiting instance starts once none of its slots is owned by another instance. */
  startIfFree(instance: RealInstance): void {
    const s = this.s;
    if (instance.state !== 'waiting' || s.stopped) return;
    const node = instance.node;
    if (instance.gpus.some((g) => node.owner[g] !== undefined && node.owner[g] !== instance.id)) return;
    for (const g of instance.gpus) {
      node.owner[g] = instance.id;
      node.reserved[g] = undefined;
    }
    instance.state = 'loading';
    instance.load_started_s = s.now_s;
    if (!instance.destination) s.log(`Allocated node ${node.id} for model ${instance.model.name} (instance ${instance.id})`);
    instance.started = this.p.lifecycle.launch(instance);
    s.track(instance.started);
  }
}
