export { checkedLatency, decodeContext, kvBytesPerBlock, wholePrompts, linkCopyModel, type CopyModel, type KvGeometry, type PerfModel } from './perf-model.ts';
export { fittedPerfModel, LLAMA_7B_A10, type FittedCoefficients } from './fitted.ts';
export { tablePerfModel } from './table.ts';
export { withStepOverhead } from './step-overhead.ts';
export { llmServingSimPerfModel, LLMSERVINGSIM_FILES, type LlmServingSimOptions } from './llmservingsim.ts';
export { vidurPerfModel, type VidurOptions } from './vidur.ts';
export { GridTable, interpolate, sumCurves, type Point } from './interpolate.ts';
