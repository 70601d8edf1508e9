/** sweep/: many runs of the simulator as one experiment — seeds, shards, workers, merge. */
export { mergedCsv, mergedRow, mergeSweeps, type MergedPoint } from './merge.ts';
export { readManifest, type Manifest } from './manifest.ts';
export { configJson, isFinished, resolveSweep, type ResolvedPoint } from './resolve.ts';
export { runSweep, type PointOutcome, type SweepOptions } from './run-sweep.ts';
export { derivedSeed } from './seed.ts';
export { parseShard, selectShard } from './shard.ts';
export type { PointLabels, Shard, Sweep, SweepPoint } from './types.ts';
