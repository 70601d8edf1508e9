/**
 * loadgen/ — `fleetlab bench serve`: vLLM's benchmark client against any OpenAI-compatible
 * server. It writes vLLM's result JSON and a fleetlab results folder that `fleetlab compare`
 * reads beside simulated runs.
 */
export { BenchServeOptionsSchema, baseUrlOf, type BenchServeOptions, type BenchServeOptionsInput } from './options.ts';
export { benchServe, dateStamp, formatSummary, saveVllmResult, type BenchServeRun } from './bench-serve.ts';
export { vllmResult, vllmResultFilename, tpotOf } from './vllm-result.ts';
export { benchRecords, writeBenchResults, requestRecord, NOT_MEASURED } from './fleetlab-results.ts';
export { arrivalConfig, sendTimes } from './schedule.ts';
export type { RequestOutput } from './client.ts';
