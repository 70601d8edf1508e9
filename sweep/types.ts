import type { RunConfigInput } from '../sim/index.ts';

/** Labels that place a point in a figure (figure, trace, system, x …); plain data. */
export type PointLabels = Readonly<Record<string, string | number>>;

/** One run of a sweep: a config and where it sits in the experiment. */
export interface SweepPoint {
  /** Unique within the sweep; names the folder `<out>/points/<id>/` ([A-Za-z0-9._+-]). */
  readonly id: string;
  readonly labels: PointLabels;
  /** The run config; its `seed` and `name` are replaced (see resolvePoint). */
  readonly config: RunConfigInput;
  /**
   * Points with the same seed group draw the same random streams. Defaults to the point id;
   * a figure gives every system at one x the same group so that they serve the same requests
   * (as the Llumnix artifact did with its one fixed trace seed).
   */
  readonly seed_group?: string;
}

export interface Sweep {
  readonly name: string;
  /** Mixed into every point's derived seed. */
  readonly base_seed: number;
  readonly points: readonly SweepPoint[];
}

/** Run `index`-th (0-based) of every `count` points, in sorted-id order. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}
