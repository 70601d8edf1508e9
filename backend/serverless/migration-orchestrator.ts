// Carrying out a placement's "migrate" victim (ServerlessLLM §6): a destination instance starts
// on the target node, every request of the source moves to it by tokens (token-migration.ts),
// then the source stops and frees its slots for the instance that waited for them. When the
// migration aborts (§6.3) the source keeps serving and whoever waited for its slots is placed
// again; the same migration is not planned again at once.
import { RETRY_AFTER_S, type FleetParts, type FleetState, type RealInstance } from './fleet-state.ts';
import { migrationLogLine } from './migration-log.ts';
import type { FleetNode } from './node.ts';
import { DEFAULT_TOKEN_MIGRATION, migrateByTokens, type TokenMigrationEvent } from './token-migration.ts';

export class MigrationOrchestrator {
  constructor(private readonly s: FleetState, private readonly p: FleetParts) {}

  /** Live-migrates every request of `source` to a new instance on `target` (token-based, §6). */
  async migrateInstance(source: RealInstance, target: FleetNode, gpus: readonly number[], estimate_s: number): Promise<void> {
    const s = this.s;
    const model = source.model;
    source.state = 'migrating';
    const tokens = [...source.requests.values()].reduce((n, r) => n + r.prompt_tokens + r.generated, 0);
    s.log(`Executing migration plan: MigrationPlan(target_node=${target.id}, source_instance=InstanceStatus(instance=${source.id}, node=${source.node.id}, model=${model.name}, num_current_tokens=${tokens})); estimated start-up of the new instance ${estimate_s.toFixed(3)} s`);
    const destination = this.p.placement.newInstance(model, target, gpus, true);
    this.p.placement.startIfFree(destination);
    const ok = await destination.started;
    let aborted = !ok;
    if (ok && source.client !== undefined) {
      for (const request_id of [...source.requests.keys()]) {
        const events: TokenMigrationEvent[] = [];
        const result = await migrateByTokens(request_id, {
          source: source.client, destination: destination.client!,
          sourceAlive: async () => source.process !== undefined && (await Promise.race([source.process.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 500))])),
        }, { migration_delta: model.config.router_config.migration_delta, max_rounds: s.options.max_rounds ?? DEFAULT_TOKEN_MIGRATION.max_rounds }, (e) => {
          events.push(e);
          s.log(migrationLogLine(e));
        });
        s.migrations.push({ request_id, model: model.name, from_instance: source.id, to_instance: destination.id, from_node: source.node.id, to_node: target.id, result, events });
        if (result.outcome === 'committed') s.log(`Migrated instance ${source.id} to ${destination.id} (request ${request_id}: ${result.rounds} round(s), ${result.recomputed_tokens} tokens recomputed, downtime ${result.downtime_ms.toFixed(1)} ms, total ${result.total_ms.toFixed(0)} ms)`);
        if (result.outcome === 'aborted') aborted = true;
      }
    }
    if (aborted) {
      await this.#abort(source, destination);
      return;
    }
    // The destination serves the model from now on (warm if every request finished on the source).
    destination.state = 'ready';
    destination.destination = false;
    destination.ready_s = s.now_s;
    model.instances.add(destination);
    await this.#drained(source);
    await this.p.lifecycle.stop(source, 'migrated');
    this.p.routing.dispatch(model);
    if (destination.requests.size === 0) this.p.scaling.idle(destination);
  }

  /** §6.3: the source keeps serving; whoever waited for its slots is placed again. */
  async #abort(source: RealInstance, destination: RealInstance): Promise<void> {
    const s = this.s;
    s.log(`Migration of instance ${source.id} aborted; it keeps serving on node ${source.node.id}`);
    await this.p.lifecycle.stop(destination, 'migration aborted');
    if (source.state === 'migrating') source.state = 'ready';
    source.no_migration_until_s = s.now_s + RETRY_AFTER_S;
    for (const other of [...s.instances.values()]) {
      if (other.state !== 'waiting' || other.node !== source.node || !other.gpus.some((g) => source.gpus.includes(g))) continue;
      other.state = 'stopped';
      other.model.instances.delete(other);
      other.node.release(other.id);
      other.model.pending++;
      s.pending.push({ model: other.model.name, since_s: s.now_s });
    }
    this.p.routing.dispatch(source.model);
    if (source.state === 'ready' && source.requests.size === 0) this.p.scaling.idle(source);
    this.p.placement.schedule();
  }

  /** Until the follow loops moved every request off `instance` (their `migrated_to` arrived), at most 5 s. */
  async #drained(instance: RealInstance): Promise<void> {
    const until = performance.now() + 5000;
    while (instance.requests.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
}
