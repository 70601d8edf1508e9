import type { WrittenFigure } from '../../plots/index.ts';
import type { Claim } from './claims.ts';

/**
 * How much of a figure to run. `quick`: fewer requests (and points where a figure has many),
 * the whole paper in minutes on 2 cores; `full`: the paper's 10,000 requests and every point;
 * `mini`: a few hundred requests on two points per figure, for tests only.
 */
export type Mode = 'mini' | 'quick' | 'full';

export interface FigureContext {
  /** This figure's folder: `<reproduce out>/<figure id>/`. */
  readonly dir: string;
  readonly mode: Mode;
  readonly workers: number;
  readonly progress: boolean;
}

export interface FigureResult {
  readonly id: string;
  readonly title: string;
  readonly figures: readonly WrittenFigure[];
  readonly claims: readonly Claim[];
  /** Caveats: where the setup departs from the paper, what a number means. */
  readonly notes: readonly string[];
}

export interface FigureRun {
  readonly id: string;
  readonly title: string;
  run(ctx: FigureContext): Promise<FigureResult>;
}

/** Every sweep of the reproduction uses this base seed; each point derives its own from it. */
export const BASE_SEED = 0;
