// Auto-scaling of the real fleet: the manager runs the same `policies/scaling` policy the
// simulator runs, over the real ClusterView, every `interval_s` of wall-clock time from
// `first_check_s` on. A scale-up starts instance processes (each joins the view once it is
// ready; while it starts the policy sees it as `starting`, so it decides no second scale-up).
// A scale-down marks its victim `terminating` (dispatch skips it; the migration policy drains
// it, as in the simulator) and stops its process once no client stream and no migration is
// left on it. A scale-up while an instance drains brings that one back first,
// as the simulator and Llumnix's manager do.
import { type ClusterView, type Decision, type GlobalScheduler, type InstanceReport, type InstanceState } from '../../policies/index.ts';
import type { InstanceHandle } from './instance-source.ts';

/** What the autoscaler needs of the fleet (implemented by `Fleet`). */
export interface ScalableFleet {
  readonly now_s: number;
  view(): ClusterView;
  members(): readonly { id: number; state: InstanceState; migratable: boolean; streams: number; migrations: number; report: InstanceReport }[];
  join(process: InstanceHandle): number;
  setState(id: number, state: 'active' | 'terminating'): void;
  retire(id: number): Promise<void>;
}

/** One thing the autoscaler did, for logs, tests and the bench. */
export interface ScalingEvent {
  readonly at_s: number;
  readonly kind: 'scale-up' | 'joined' | 'revived' | 'scale-down' | 'retired' | 'start-failed';
  readonly instance?: number;
  readonly detail?: string;
}

/** How often a draining instance is looked at again. */
const DRAIN_POLL_MS = 20;

export class Autoscaler {
  readonly events: ScalingEvent[] = [];
  readonly #fleet: ScalableFleet;
  readonly #scheduler: GlobalScheduler;
  readonly #startProcess: () => Promise<InstanceHandle>;
  readonly #starting = new Set<Promise<unknown>>();
  readonly #draining = new Map<number, Promise<void>>();
  readonly #listeners = new Set<(event: ScalingEvent) => void>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(fleet: ScalableFleet, scheduler: GlobalScheduler, startProcess: () => Promise<InstanceHandle>) {
    if (scheduler.scaling === undefined) throw new Error('Autoscaler needs a scheduler with a `scaling` policy');
    this.#fleet = fleet;
    this.#scheduler = scheduler;
    this.#startProcess = startProcess;
  }

  /** Schedules the checks: the first at `first_check_s` after the manager started, then every `interval_s`. */
  start(): void {
    const { first_check_s, interval_s } = this.#scheduler.scaling!;
    const tick = (): void => {
      if (this.#stopped) return;
      this.tick();
      this.#timer = setTimeout(tick, interval_s * 1e3);
    };
    this.#timer = setTimeout(tick, Math.max(0, first_check_s - this.#fleet.now_s) * 1e3);
  }

  /** Instances being started now. */
  get starting(): number {
    return this.#starting.size;
  }

  /** The view the scaling policy decides on: the fleet's process instances plus one `starting` entry per process on its way. */
  scalingView(): ClusterView {
    const view = this.#fleet.view();
    // External servers are not the autoscaler's to start or stop: the policy does not see them.
    const own = new Set(this.#fleet.members().filter((m) => m.migratable).map((m) => m.id));
    const keep = view.instances.map((r) => own.has(r.id));
    const starting = [...this.#starting].map((_, i): InstanceReport => ({
      id: -1 - i, state: 'starting', reported: false, report_time_s: view.now_s, total_blocks: 1, watermark_blocks: 0, free_blocks: 1,
      running: 0, waiting: 0, killed: 0, head_waiting_blocks: 0, all_waiting_blocks: 0, high_priority: 0, last_running_blocks: 0, migrations_in_flight: 0,
    }));
    return {
      ...view,
      instances: [...view.instances.filter((_, i) => keep[i]), ...starting],
      dispatched: [...view.dispatched.filter((_, i) => keep[i]), ...starting.map(() => 0)],
    };
  }

  /** One scaling check: asks the policy and applies what it decides. */
  tick(): readonly Decision[] {
    const decisions = this.#scheduler.onScalingTick(this.scalingView());
    for (const d of decisions) this.apply(d);
    return decisions;
  }

  /** Applies a scale-up (revive draining instances first, then start processes) or a scale-down (drain, then stop). */
  apply(decision: Decision): void {
    if (this.#stopped) return;
    if (decision.kind === 'scale-up') {
      let n = decision.n;
      for (const m of this.#fleet.members()) {
        if (n > 0 && m.state === 'terminating' && this.#draining.has(m.id)) {
          this.#fleet.setState(m.id, 'active'); // its drain loop sees the state and ends
          this.#log('revived', m.id);
          n--;
        }
      }
      for (; n > 0; n--) this.#startOne();
    } else if (decision.kind === 'scale-down') {
      const m = this.#fleet.members().find((x) => x.id === decision.instance);
      if (m === undefined || m.state !== 'active' || !m.migratable) throw new Error(`scale-down of instance ${decision.instance}, which is not an active instance process of this fleet`);
      this.#fleet.setState(m.id, 'terminating');
      this.#log('scale-down', m.id);
      const drained = this.#drain(m.id).finally(() => this.#draining.delete(m.id));
      this.#draining.set(m.id, drained);
    }
  }

  /** Stops deciding; waits for starts and drains in progress (a started process still joins, and the fleet stops it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all([...this.#starting, ...this.#draining.values()]);
  }

  #startOne(): void {
    this.#log('scale-up');
    const started = this.#startProcess().then(
      (p) => this.#log('joined', this.#fleet.join(p), `pid ${p.pid}`),
      (err: unknown) => this.#log('start-failed', undefined, err instanceof Error ? err.message : String(err)),
    );
    this.#starting.add(started);
    void started.finally(() => this.#starting.delete(started));
  }

  /**
   * Stops the victim's process once no client stream and no migration is left on it. Its
   * requests leave the way the simulator's do: the scheduler's migration policy sees a
   * `terminating` instance as a source to drain (policies/migration) and the fleet migrates
   * them at the next pairing; without a migration policy they finish where they are. Ends early
   * if the instance was revived.
   */
  async #drain(id: number): Promise<void> {
    for (;;) {
      const self = this.#fleet.members().find((m) => m.id === id);
      // Revived, gone, or the fleet is stopping (it stops every process itself).
      if (self === undefined || self.state !== 'terminating' || this.#stopped) return;
      if (self.streams === 0 && self.migrations === 0) {
        await this.#fleet.retire(id);
        this.#log('retired', id);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  /** Calls `listener` with every event as it happens; returns an unsubscribe. */
  onEvent(listener: (event: ScalingEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #log(kind: ScalingEvent['kind'], instance?: number, detail?: string): void {
    const event: ScalingEvent = { at_s: this.#fleet.now_s, kind, ...(instance === undefined ? {} : { instance }), ...(detail === undefined ? {} : { detail }) };
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }
}
