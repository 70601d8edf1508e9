// Per-model auto-scaling and keep-alive (policies/serverless, decided on events): desired =
// clamp(⌈in-flight / target⌉, min, max); more asks placement for instances, fewer cancels the
// placements not yet made; an idle over-provisioned instance is unloaded after `keep_alive`.
import { desiredInstances, unloadAfterKeepAlive } from '../../policies/serverless/index.ts';
import type { Deployed, FleetParts, FleetState, RealInstance } from './fleet-state.ts';

export class Scaling {
  constructor(private readonly s: FleetState, private readonly p: FleetParts) {}

  /** Instances of `model` that count: placed or waiting for placement (migration destinations excluded). */
  current(model: Deployed): number {
    let n = model.pending;
    for (const i of model.instances) if (!i.destination) n++;
    return n;
  }

  autoscale(model: Deployed): void {
    const s = this.s;
    if (model.deleted || s.stopped) return;
    const desired = desiredInstances(model.inflight, model.rule);
    const current = this.current(model);
    if (desired > current) {
      for (let k = current; k < desired; k++) s.pending.push({ model: model.name, since_s: s.now_s });
      model.pending += desired - current;
      this.p.placement.schedule();
    } else if (desired < current && model.pending > 0) {
      let cancel = Math.min(model.pending, current - desired);
      for (let k = s.pending.length - 1; k >= 0 && cancel > 0; k--) {
        if (s.pending[k]?.model !== model.name) continue;
        s.pending.splice(k, 1);
        model.pending--;
        cancel--;
      }
    }
  }

  /** `instance` has no request: it may serve a waiting placement, and is unloaded after keep-alive. */
  idle(instance: RealInstance): void {
    const s = this.s;
    const model = instance.model;
    const idleSince = s.now_s;
    this.p.placement.schedule();
    const timer = setTimeout(() => {
      if (instance.state === 'stopped') return;
      const check = {
        ready: instance.state === 'ready', load: instance.requests.size, ready_s: instance.ready_s, idle_since_s: idleSince,
        desired: model.deleted ? 0 : desiredInstances(model.inflight, model.rule), current: this.current(model),
      };
      if (unloadAfterKeepAlive(check)) s.track(this.p.lifecycle.stop(instance, `idle for keep_alive ${model.rule.keep_alive} s`));
    }, model.rule.keep_alive * 1000);
    timer.unref();
  }
}
