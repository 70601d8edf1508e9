import { fig11 } from './fig11-serving/index.ts';
import type { FigureRun } from './figure.ts';

/** The reproduced figures, in the paper's order. */
export const FIGURES: readonly FigureRun[] = [fig11];
