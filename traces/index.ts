/**
 * traces/ — where a simulation's requests come from: synthetic arrival processes and length
 * distributions (Llumnix's generator, Table 1-matched quantile presets), loaders for public
 * trace formats, and the composer that turns a WorkloadConfig plus seeded streams into
 * RequestSpecs. Nothing here keeps global state; every random draw uses a stream passed in.
 */
export type { RequestSpec, Rng } from './request.ts';

export {
  WorkloadConfigSchema,
  LengthsConfigSchema,
  generateWorkload,
  parseWorkloadConfig,
  type WorkloadConfig,
  type WorkloadConfigInput,
  type WorkloadStreams,
  type WorkloadOptions,
  type WorkloadReport,
} from './workload.ts';

export { ArrivalConfigSchema, generateArrivals, gammaShape, type ArrivalConfig, type ArrivalConfigInput } from './arrivals.ts';

export { LengthConfigSchema, LLUMNIX_RANGE_TOKENS, type LengthConfig, type LengthConfigInput } from './lengths/schema.ts';
export { sampleLengths, type TraceLoader, type LengthSlot } from './lengths/sample.ts';
export { llumnixZipfAlpha, sampleZipfLengths, type ZipfParams } from './lengths/zipf.ts';
export { sampleQuantiles, inverseCdf, knotsMean, checkKnots, type Interpolation, type QuantileKnots } from './lengths/quantiles.ts';
export { QUANTILE_PRESETS, QUANTILE_PRESET_NAMES, type QuantilePreset, type QuantilePresetName } from './lengths/presets.ts';

export {
  TraceSourceSchema,
  TRACE_FORMATS,
  OverMaxTotalTokens,
  type TraceFormat,
  type TraceRow,
  type LoadedTrace,
  type TraceSource,
  type TraceSourceInput,
} from './loaders/source.ts';
export { loadTrace, loadTraceText, parseTraceSource, resolveTracePath, type LoadOptions } from './loaders/load.ts';
export { BUILTIN_TRACES, builtinTracePath, isBuiltinName, type BuiltinName, type BuiltinTrace } from './loaders/builtin.ts';
export { parseAzureTimestamp } from './loaders/azure-time.ts';

export {
  PREFIX_BLOCK_TOKENS,
  sampleBurstGptDataset,
  sampleCustomDataset,
  sampleRandomDataset,
  sampleShareGptDataset,
  sampleSonnetDataset,
  sampleVllmDataset,
  VLLM_DATASET_NAMES,
  VllmDatasetSchema,
  type DatasetCounts,
  type DatasetRequest,
  type VllmDataset,
  type VllmDatasetInput,
} from './datasets/index.ts';

export { describeLengths, describeValues, type LengthStats } from './describe.ts';
export { sampleExponential, sampleGamma, sampleStandardNormal } from './sampling.ts';
export { ConfigError, TraceError, type ConfigIssue, type TraceErrorDetails } from './errors.ts';
export { parseConfig } from './validate.ts';
