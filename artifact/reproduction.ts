/** What `fleetlab reproduce <paper>` runs: one entry per reproduced paper. */
export interface ReproduceOptions {
  /** Full mode: the paper's request counts and every point; quick mode otherwise. */
  readonly full: boolean;
  /** Only these figures (ids like `fig11`); all when empty. */
  readonly only: readonly string[];
  /** Output root; each figure writes `<out>/<figure id>/`. */
  readonly out: string;
  /** Worker threads for sweep points. */
  readonly workers: number;
  readonly progress: boolean;
}

export interface Reproduction {
  readonly paper: string;
  /** Figure ids this reproduction knows, in order. */
  readonly figures: readonly string[];
  run(options: ReproduceOptions): Promise<void>;
}
