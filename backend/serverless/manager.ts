// The serverless fleet's manager (ServerlessLLM's controller, routers and model-loading
// scheduler, on real instance processes): several models, each with its own instances on
// "nodes". To the API it is an EngineRouter: one GenerationEngine per deployed model. The work
// is done by its parts, one concept each, over one shared state (fleet-state.ts):
// deployment.ts (register/delete), request-routing.ts (queues, streams, failover),
// scaling.ts (auto-scaling, keep-alive), placement.ts (the policy over view.ts's view),
// instance-lifecycle.ts (launch, stop, slots) and migration-orchestrator.ts (token migration
// of a placement's victims, token-migration.ts).
import type { PlacementPolicy, PlacementView } from '../../policies/placement/index.ts';
import type { DeployConfig } from '../../config/serverless-deploy.ts';
import type { EngineRouter, ServedModel } from '../api/router.ts';
import type { EngineStats, GenerationEngine } from '../engine/types.ts';
import { Deployment } from './deployment.ts';
import { FleetState, ServerlessError, type FleetParts, type MigrationRecord, type PlacementRecord, type RealInstance, type ServerlessFleetOptions } from './fleet-state.ts';
import { InstanceLifecycle } from './instance-lifecycle.ts';
import { MigrationOrchestrator } from './migration-orchestrator.ts';
import type { FleetNode } from './node.ts';
import { Placement } from './placement.ts';
import { RequestRouting } from './request-routing.ts';
import { Scaling } from './scaling.ts';

export { ServerlessError, type MigrationRecord, type PlacementRecord, type ServerlessFleetOptions } from './fleet-state.ts';

export class ServerlessFleet implements EngineRouter {
  readonly #s: FleetState;
  readonly #p: FleetParts;

  constructor(options: ServerlessFleetOptions) {
    const s = new FleetState(options);
    const parts = {} as { -readonly [K in keyof FleetParts]: FleetParts[K] };
    parts.deployment = new Deployment(s, parts);
    parts.routing = new RequestRouting(s, parts);
    parts.scaling = new Scaling(s, parts);
    parts.placement = new Placement(s, parts);
    parts.lifecycle = new InstanceLifecycle(s, parts);
    parts.migrations = new MigrationOrchestrator(s, parts);
    this.#s = s;
    this.#p = parts;
  }

  get nodes(): readonly FleetNode[] {
    return this.#s.nodes;
  }

  get policy(): PlacementPolicy {
    return this.#p.placement.policy;
  }

  /** Every placement the manager made: the view it showed the policy and the decision. */
  get placements(): readonly PlacementRecord[] {
    return this.#s.placements;
  }

  get migrations(): readonly MigrationRecord[] {
    return this.#s.migrations;
  }

  get lines(): readonly string[] {
    return this.#s.lines;
  }

  /** Requests resumed after their instance died. */
  get failovers(): number {
    return this.#s.failovers;
  }

  get now_s(): number {
    return this.#s.now_s;
  }

  /** Logs `text` (one line per line of it), each stamped with the manager's clock. */
  log(text: string): void {
    this.#s.log(text);
  }

  /** Registers a model (ServerlessLLM's /register): its checkpoint's nodes, scaling and router config. */
  deploy(config: DeployConfig): Promise<void> {
    return this.#p.deployment.deploy(config);
  }

  /** Removes a model (ServerlessLLM's /delete): queued requests fail, idle instances stop, busy ones when they finish. */
  delete(name: string): Promise<void> {
    return this.#p.deployment.delete(name);
  }

  models(): readonly ServedModel[] {
    return [...this.#s.models.values()].map((m) => ({ name: m.name, max_model_len: m.max_model_len }));
  }

  pick(name: string): GenerationEngine | undefined {
    const model = this.#s.models.get(name);
    if (model === undefined) return undefined;
    const routing = this.#p.routing;
    return {
      model_name: model.name,
      max_model_len: model.max_model_len,
      tokenizer: model.tokenizer,
      generate: (request, signal) => routing.serve(model, request, signal),
      stats: () => routing.stats(model),
    };
  }

  stats(name: string): EngineStats | undefined {
    const model = this.#s.models.get(name);
    return model === undefined ? undefined : this.#p.routing.stats(model);
  }

  /** Live instances: model, node, state (tests and the example). */
  instances(): { id: number; model: string; node: number; state: RealInstance['state']; pid: number | undefined }[] {
    return [...this.#s.instances.values()].filter((i) => i.state !== 'stopped').map((i) => ({ id: i.id, model: i.model.name, node: i.node.id, state: i.state, pid: i.process?.pid }));
  }

  /** The view a placement policy sees now. */
  view(): PlacementView {
    return this.#p.placement.view();
  }

  /**
   * Waits for every agent node's first report (its holdings and measured bandwidths); rejects
   * naming the agent that does not answer. Nothing to wait for on local nodes.
   */
  async connect(): Promise<void> {
    await Promise.all(this.#s.nodes.map((n) => n.agent?.connect()));
  }

  /** Stops every instance process (on agent nodes, through their agents) and stops watching the agents. */
  async stop(): Promise<void> {
    const s = this.#s;
    s.stopped = true;
    for (const m of s.models.values()) for (const w of m.queue.splice(0)) w.reject(new ServerlessError('the fleet is stopping'));
    await this.#p.lifecycle.stopAll();
    await Promise.all(s.background);
    for (const n of s.nodes) n.agent?.close();
  }
}
