export { checkedLatency, decodeContext, kvBytesPerBlock, wholePrompts, linkCopyModel, type CopyModel, type KvGeometry, type PerfModel } from './perf-model.ts';
export { fittedPerfModel, LLAMA_7B_A10, type FittedCoefficients } from './fitted.ts';
export { tablePerfModel } from './table.ts';
export { withStepOverhead } from './step-overhead.ts';
