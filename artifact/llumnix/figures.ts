import { fig10 } from './fig10-migration/index.ts';
import { fig11 } from './fig11-serving/index.ts';
import { fig13 } from './fig13-priorities/index.ts';
import { fig14 } from './fig14-autoscaling/index.ts';
import { fig15 } from './fig15-threshold/index.ts';
import type { FigureRun } from './figure.ts';

/** The reproduced figures, in the paper's order. */
export const FIGURES: readonly FigureRun[] = [fig10, fig11, fig13, fig14, fig15];
