export { compareTable } from './compare.ts';
export { artifactPreemptionLoss, requestMetrics, type RequestMetrics } from './request-metrics.ts';
export { describe, round, type Distribution } from './stats.ts';
export { summarize, type LatencySummary, type MigrationSummary, type RunSummary } from './summary.ts';
export { VERSION } from './version.ts';
export { writeResults } from './write-results.ts';
