/** artifact/: the papers' experiments as data and the runs that reproduce their figures. */
import { llumnixReproduction } from './llumnix/reproduce.ts';
import type { Reproduction } from './reproduction.ts';
import { serverlessllmReproduction } from './serverlessllm/reproduce.ts';

export { findPreset, PRESET_NAMES } from './presets.ts';
export type { ReproduceOptions, Reproduction } from './reproduction.ts';

export const REPRODUCTIONS: readonly Reproduction[] = [llumnixReproduction, serverlessllmReproduction];
