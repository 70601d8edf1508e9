// Public face of backend/model: HF model folders (config, weights, tokenizer, generation
// defaults), their one-time conversion and loading, and the tiny random models.
export * from './arch.ts';
export { parseHfConfig, toHfConfig, SUPPORTED_ARCHITECTURES } from './hf-config.ts';
export { expectedTensors, type ExpectedTensor } from './expected-tensors.ts';
export { validateTensors, isWeightDtype, WEIGHT_DTYPES, type WeightDtype, type FolderTensor, type TensorCheck } from './validate-tensors.ts';
export { parseGenerationConfig, type GenerationDefaults } from './generation-config.ts';
export { parseTokenizerConfig, type TokenizerSettings } from './tokenizer-config.ts';
export { ChatTemplate } from './chat-template.ts';
export { HfTokenizer } from './hf-tokenizer.ts';
export { loadTokenizer } from './load-tokenizer.ts';
export { readModelFolder, SINGLE_FILE, SHARD_INDEX, type ModelFolder } from './model-folder.ts';
export { ensureCheckpoint, checkpointCacheDir, CACHE_SUBDIR, type CachedCheckpoint, type CheckpointCacheOptions } from './checkpoint-cache.ts';
export { openModel, type OpenedModel, type OpenModelOptions, type HostTensor } from './open-model.ts';
export { fleetlabCacheDir } from './cache-dir.ts';
export { resolveModelDir } from './resolve-model.ts';
export { makeTinyModel, ensureTinyModel, resolveTinySpec, tinyArch, TINY_GENERATOR_VERSION, type MakeTinyOptions, type TinyModel } from './tiny/make-tiny.ts';
export { TINY_PRESETS, TINY_PRESET_NAMES, isTinyPreset, type TinyPresetName, type TinySpec } from './tiny/presets.ts';
export { toBf16, fromBf16, type TinyDtype } from './tiny/random-weights.ts';
export { buildTinyTokenizer, CHATML_TEMPLATE, SPECIAL_TOKENS } from './tiny/tiny-tokenizer.ts';
