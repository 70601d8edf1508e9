/**
 * Load-based auto-scaling (reference §5.2): add instances while freeness is below the up
 * threshold, remove one when it stays above the down threshold. One scale-up and one
 * scale-down at a time: nothing is decided while an instance is starting or draining, except
 * that a scale-up revives a draining instance first (the port does that).
 */
import { fleetDispatchFreeness, fleetFreenessWithout } from './aggregate.ts';
import { dispatchFreeness } from '../load/freeness.ts';
import { DEFAULT_LOAD_OPTIONS } from '../load/options.ts';
import type { ScalingPolicy } from '../types.ts';
import type { ClusterView, Decision, InstanceReport } from '../view.ts';
import type { ScalingSpec } from './spec.ts';

function pickVictim(active: readonly InstanceReport[], rule: ScalingSpec['victim']): InstanceReport | undefined {
  let victim: InstanceReport | undefined;
  for (const r of active) {
    // Ties → the highest id, so both rules agree on an idle fleet.
    const better =
      victim === undefined ||
      (rule === 'highest-id' ? r.id > victim.id : r.running < victim.running || (r.running === victim.running && r.id > victim.id));
    if (better) victim = r;
  }
  return victim;
}

export function loadScaling(spec: ScalingSpec): ScalingPolicy {
  const name = `scaling:${spec.kind}`;
  const up = spec.scale_up_threshold;
  const down = spec.scale_down_threshold ?? up + 50;
  const perInstance = (r: InstanceReport): number => dispatchFreeness(name, r, 'normal', DEFAULT_LOAD_OPTIONS);
  return {
    name,
    interval_s: spec.interval_s,
    first_check_s: spec.first_check_s,
    decide(view: ClusterView): Decision[] {
      const active = view.instances.filter((r) => r.state === 'active');
      const starting = view.instances.some((r) => r.state === 'starting');
      const draining = view.instances.filter((r) => r.state === 'terminating');
      // The artifact decides nothing until every active instance has reported.
      if (active.length === 0 || active.some((r) => !r.reported)) return [];
      const fleet = view.instances.length;

      const freeness =
        spec.kind === 'avg_load'
          ? fleetDispatchFreeness(active)
          : Math[spec.kind === 'max_load' ? 'min' : 'max'](...active.map(perInstance));
      if (freeness < up && !starting) {
        let n = 1;
        if (spec.kind === 'avg_load') {
          // Add empty instances (M blocks, no watermark) until the fleet would be free enough.
          const blocks = active[0]?.total_blocks ?? 0;
          while (n < spec.max_instances && fleetDispatchFreeness(active, n * blocks) < up) n++;
        }
        // A draining instance comes back first and counts toward n without growing the fleet.
        const room = spec.max_instances - fleet + draining.length;
        const count = Math.min(n, room);
        return count > 0 ? [{ kind: 'scale-up', n: count }] : [];
      }
      if (draining.length > 0 || starting || active.length <= spec.min_instances) return [];
      const victim = pickVictim(active, spec.victim);
      if (victim === undefined) return [];
      const after =
        spec.kind === 'avg_load' ? fleetFreenessWithout(active, victim, spec.queued_demand) : freeness;
      return after > down ? [{ kind: 'scale-down', instance: victim.id }] : [];
    },
  };
}
