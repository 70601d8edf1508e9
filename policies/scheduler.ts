/**
 * The global scheduler the simulator and the backend call: a composition of one dispatch
 * policy and, for systems that migrate, a trigger, a pairing policy and a request selector.
 * Its only state is when pairing last ran; time always comes from `view.now_s`.
 */
import { z } from 'zod';
import { parseSpec } from './errors.ts';
import { createDispatchPolicy, DispatchSpec, type DispatchDeps } from './dispatch/spec.ts';
import { createPairingPolicy, PairingSpec } from './migration/spec.ts';
import { createRequestSelector, SelectorSpec } from './selection/spec.ts';
import { createScalingPolicy, ScalingSpec } from './scaling/spec.ts';
import { createMigrationTrigger, TriggerSpec } from './trigger/spec.ts';
import type {
  DispatchPolicy,
  MigrationPair,
  MigrationTrigger,
  PairingPolicy,
  RequestSelector,
  ScalingPolicy,
  SelectionContext,
} from './types.ts';
import type { ArrivingRequest, ClusterView, Decision, InstanceId, LocalRequestView, RequestId, Verdict } from './view.ts';

export const SchedulerSpec = z
  .strictObject({
    /** Where arriving requests go. */
    dispatch: DispatchSpec,
    /** Who migrates to whom; absent = no migration (Round-Robin, INFaaS++). */
    pairing: PairingSpec.optional(),
    /** Which running request a source migrates; required with `pairing`. */
    selector: SelectorSpec.optional(),
    /** When pairing runs; required with `pairing`. */
    trigger: TriggerSpec.optional(),
    /** Auto-scaling; absent = a fixed fleet. */
    scaling: ScalingSpec.optional(),
  })
  .superRefine((spec, ctx) => {
    // Migration needs all three parts; a half-configured one would silently never migrate.
    const parts = ['pairing', 'selector', 'trigger'] as const;
    const set = parts.filter((p) => spec[p] !== undefined);
    if (set.length === 0 || set.length === parts.length) return;
    for (const part of parts.filter((p) => spec[p] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [part], input: spec[part], message: `set when ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set` });
    }
  });
export type SchedulerSpec = z.output<typeof SchedulerSpec>;
export type SchedulerSpecInput = z.input<typeof SchedulerSpec>;

export interface SchedulerParts {
  readonly dispatch: DispatchPolicy;
  readonly migration?: {
    readonly pairing: PairingPolicy;
    readonly selector: RequestSelector;
    readonly trigger: MigrationTrigger;
  };
  readonly scaling?: ScalingPolicy;
}

/** Not frozen: a frozen array has another elements kind, and `for … of` over it allocates (docs/performance.md). */
const NO_PAIRS: readonly MigrationPair[] = [];

export class GlobalScheduler {
  readonly dispatchPolicy: DispatchPolicy;
  readonly migration: SchedulerParts['migration'];
  readonly scaling: ScalingPolicy | undefined;
  #lastPairingS: number | undefined;

  constructor(parts: SchedulerParts) {
    this.dispatchPolicy = parts.dispatch;
    this.migration = parts.migration;
    this.scaling = parts.scaling;
  }

  /** Call every `scaling.interval_s` from `scaling.first_check_s` on: scale-up / scale-down decisions. */
  onScalingTick(view: ClusterView): Decision[] {
    return this.scaling?.decide(view) ?? [];
  }

  /** The view `dispatch` needs: each instance's last report, or its live state (simulator only). */
  get dispatchReads(): 'reports' | 'live' {
    return this.dispatchPolicy.reads ?? 'reports';
  }

  /** Where `request` goes, or why it cannot be placed (never throws on a valid view). */
  dispatch(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
    return this.dispatchPolicy.choose(request, view);
  }

  /**
   * Call after every step report: runs the trigger and, when due, the pairing. Returns the
   * pairs to start (empty when migration is off or not due).
   */
  onReport(view: ClusterView): readonly MigrationPair[] {
    // One shared empty answer: this runs after every step report, and is rarely due.
    if (this.migration === undefined) return NO_PAIRS;
    if (!this.migration.trigger.due(view, this.#lastPairingS)) return NO_PAIRS;
    this.#lastPairingS = view.now_s;
    return this.migration.pairing.pair(view);
  }

  /** On a source instance: which running request to migrate (undefined: none eligible). */
  selectRequest(running: readonly LocalRequestView[], context?: SelectionContext): RequestId | undefined {
    return this.migration?.selector.select(running, context);
  }

  /** Time pairing last ran (`undefined` before the first round). */
  get lastPairingS(): number | undefined {
    return this.#lastPairingS;
  }
}

/** Validates a whole scheduler spec and builds it; `deps.rng` feeds `random` dispatch. */
export function createScheduler(spec: SchedulerSpecInput | unknown, deps: DispatchDeps = {}): GlobalScheduler {
  const parsed = parseSpec('scheduler', SchedulerSpec, spec);
  const dispatch = createDispatchPolicy(parsed.dispatch, deps);
  const { pairing, selector, trigger } = parsed;
  const scaling = parsed.scaling === undefined ? {} : { scaling: createScalingPolicy(parsed.scaling) };
  if (pairing === undefined || selector === undefined || trigger === undefined) {
    return new GlobalScheduler({ dispatch, ...scaling });
  }
  return new GlobalScheduler({
    dispatch,
    ...scaling,
    migration: {
      pairing: createPairingPolicy(pairing),
      selector: createRequestSelector(selector),
      trigger: createMigrationTrigger(trigger),
    },
  });
}
