export { compareTable, summaryColumn, vllmResultColumn, type ComparableRun, type CompareKey } from './compare.ts';
export { writeCsv, writeStreamed, writeText, type FileDigest } from './csv-file.ts';
export { checkOutputPath, cleanStalePartials, isFleetlabFolder, MANIFEST, OutputPathError } from './output-folder.ts';
export { fanOut, RecordCollector } from './record-collector.ts';
export { RequestColumns } from './request-columns.ts';
export type {
  AbortReason,
  InstanceSample,
  MigrationRecord,
  PreemptionCostModel,
  RecomputeRecord,
  RequestList,
  RequestRecord,
  RunEnd,
  RunInfo,
  RunObserver,
  RunRecords,
  SamplingRecord,
  StepRecord,
} from './records.ts';
export { artifactPreemptionLoss, requestMetrics, type RequestMetrics } from './request-metrics.ts';
export { readResultsManifest, verifyResults } from './verify-results.ts';
export { describe, round, type Distribution } from './stats.ts';
export { STEP_COLUMNS } from './step-log.ts';
export { rejectedByReason, rejectionKind, summarize, summaryOf, type LatencySummary, type MigrationSummary, type RunSummary } from './summary.ts';
export { VERSION } from './version.ts';
export { traceEvents, writeTraceJson, type TraceEvent } from './trace-json.ts';
export { REQUEST_COLUMNS, writeResults, type ResultsManifest, type WriteOptions } from './write-results.ts';
export { traceLine, traceSummary, type TraceSummary } from './trace-summary.ts';
export { exactStats, goodRequests, metricKeys, parseGoodput, percentileKey, GoodputSlo, MetricPercentiles, PercentileMetrics, VLLM_METRICS, type SampleStats, type VllmMetric } from './vllm-keys.ts';
export { vllmBenchSection, type VllmBenchOptions } from './vllm-bench.ts';
export { TokenGaps, ITL_RELATIVE_ACCURACY } from './token-gaps.ts';
