// An instance's life on its node: launched through the node's launcher (its start-up measured
// for the placement view), watched until it exits, stopped (preempted, migrated, unloaded,
// model deleted); its slots, once free, go to the instances waiting for them.
import { InstanceClient } from '../rpc/instance-client.ts';
import { RETRY_AFTER_S, type FleetParts, type FleetState, type RealInstance } from './fleet-state.ts';

export class InstanceLifecycle {
  constructor(private readonly s: FleetState, private readonly p: FleetParts) {}

  /** Starts the instance's process on its node; false when it failed (its placement is retried later). */
  async launch(instance: RealInstance): Promise<boolean> {
    const s = this.s;
    const model = instance.model;
    const t0 = performance.now();
    try {
      // An agent resolves the model on its own machine (a folder path there, or a preset).
      instance.process = await instance.node.launcher.start({ ...s.options.engine, model: instance.node.agent !== undefined ? model.source : model.dir });
    } catch (err) {
      s.log(`Instance ${instance.id} (${model.name}) on node ${instance.node.id} failed to start: ${err instanceof Error ? err.message : String(err)}`);
      instance.state = 'stopped';
      model.instances.delete(instance);
      instance.node.release(instance.id);
      this.p.placement.holdUntil_s = s.now_s + RETRY_AFTER_S;
      this.p.scaling.autoscale(model);
      this.p.placement.schedule();
      return false;
    }
    const startup_s = (performance.now() - t0) / 1e3;
    instance.client = new InstanceClient(`${instance.process.host}:${instance.process.port}`);
    instance.node.recordStartup(startup_s, instance.process.cold_start);
    if (instance.node.agent === undefined) {
      // A local node keeps what it loaded in DRAM; an agent node's report says so itself.
      instance.node.ssd.add(model.name);
      instance.node.dram.add(model.name);
    }
    void instance.process.exited.then(() => void this.alive(instance));
    if (instance.state === 'stopped' || s.stopped) {
      // Stopped while it started (model deleted, fleet stopping).
      instance.client.close();
      await instance.process.stop();
      return false;
    }
    const cold = instance.process.cold_start;
    s.log(`Initialized backend for instance ${instance.id} (${model.name}) on node ${instance.node.id}: start-up ${startup_s.toFixed(3)} s${cold === undefined || instance.node.agent === undefined ? '' : ` (weights from ${cold.source}: read ${(cold.read_s * 1e3).toFixed(0)} ms)`}`);
    if (!instance.destination) {
      instance.state = 'ready';
      instance.ready_s = s.now_s;
      this.p.routing.dispatch(model);
      if (instance.requests.size === 0) this.p.scaling.idle(instance);
    }
    return true;
  }

  /** Whether the instance's process still runs (waits up to 1 s for an exit); a dead one is dropped. */
  async alive(instance: RealInstance): Promise<boolean> {
    const p = instance.process;
    if (p === undefined) return false;
    const code = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), p.death_known_ms ?? 1000))]);
    if (code !== undefined && instance.state !== 'stopped') {
      this.s.log(`Instance ${instance.id} (${instance.model.name}) on node ${instance.node.id} exited (${code})`);
      instance.state = 'stopped';
      instance.model.instances.delete(instance);
      this.released(instance);
    }
    return code === undefined;
  }

  async stop(instance: RealInstance, why: string): Promise<void> {
    if (instance.state === 'stopped') return;
    const wasLoading = instance.state === 'loading';
    instance.state = 'stopped';
    instance.model.instances.delete(instance);
    if (wasLoading) await instance.started;
    instance.client?.close();
    await instance.process?.stop();
    if (instance.process !== undefined) {
      this.s.log(`Instance ${instance.id} (${instance.model.name}) removed (${why}); node ${instance.node.id} deallocated ${instance.gpus.length} GPU(s)`);
    }
    this.released(instance);
  }

  /** The instance's slots are free: instances waiting for them start; placement runs again. */
  released(instance: RealInstance): void {
    instance.node.release(instance.id);
    for (const other of this.s.instances.values()) if (other.node === instance.node) this.p.placement.startIfFree(other);
    this.p.scaling.autoscale(instance.model);
    this.p.placement.schedule();
  }

  /** Stops every instance process (the fleet is stopping). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.s.instances.values()].map(async (i) => {
      if (i.state === 'loading') await i.started;
      i.state = 'stopped';
      i.client?.close();
      await i.process?.stop();
    }));
  }
}
