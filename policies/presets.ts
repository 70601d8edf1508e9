/**
 * The paper's systems as data (reference §2, §3, §5.1, §8). Every preset is a
 * `SchedulerSpecInput`; a run config may embed one and override any field.
 */
import { createScheduler, type GlobalScheduler, type SchedulerSpecInput } from './scheduler.ts';
import type { DispatchDeps } from './dispatch/spec.ts';

const llumnixMigration = {
  pairing: { kind: 'defrag', migrate_threshold: 3, queued_demand: 'head-of-line' },
  // Paper intent / reference §12 #3: shortest first; the artifact's LCFS is in `llumnix-artifact`.
  selector: { kind: 'SR' },
  trigger: { kind: 'every-reports', reports_per_instance: 4 },
} as const satisfies Omit<SchedulerSpecInput, 'dispatch'>;

export const PRESETS = {
  /** Paper "Round-Robin": fewest dispatched, no migration. */
  'round-robin': { dispatch: { kind: 'round-robin' } },
  /** INFaaS++: Llumnix's load dispatch and metric, no migration (maintainers, issue #44). */
  'infaas++': { dispatch: { kind: 'load' } },
  /** Llumnix: load dispatch, defrag pairing T = 3 (head-of-line demand), SR, every 4·N reports. */
  llumnix: { dispatch: { kind: 'load' }, ...llumnixMigration },
  /** Llumnix-base (Fig. 13): Llumnix without priority headroom or priority dispatch. */
  'llumnix-base': {
    dispatch: { kind: 'load', priority_aware: false },
    ...llumnixMigration,
    pairing: { ...llumnixMigration.pairing, priority_aware: false },
  },
  /** Llumnix exactly as osdi24ae ran it: all-waiting demand and LCFS. */
  'llumnix-artifact': {
    dispatch: { kind: 'load' },
    ...llumnixMigration,
    pairing: { ...llumnixMigration.pairing, queued_demand: 'all-waiting' },
    selector: { kind: 'LCFS' },
  },
} as const satisfies Record<string, SchedulerSpecInput>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function createPreset(name: PresetName, deps: DispatchDeps = {}): GlobalScheduler {
  return createScheduler(PRESETS[name], deps);
}
