// Public face of the real engine: the offline LLM API, the streaming engine under it (engine/
// scheduler + native model runner), sampling and text output, and the contract served to APIs.
export { LLM, type CompletionOutput, type PromptInput, type RequestOutput as LLMRequestOutput } from './llm.ts';
export { LLMEngine, EngineError, type LLMEngineOptions, type LLMEngineStats, type StepTiming } from './llm-engine.ts';
export { parseSamplingParams, isGreedy, type SamplingOptions } from './sampling-params.ts';
export { sampleToken, SamplingScratch } from './sampling.ts';
export { SamplingRng, samplingSeed, type SamplingRngState } from './sampling-rng.ts';
export { RequestOutput, type RequestOutputSnapshot } from './sampling-output.ts';
export { Detokenizer } from './detokenizer.ts';
export { StopStringMatcher } from './sampling-stop.ts';
export type * from './types.ts';
