// Public face of the native model runner.
export { ModelRunner } from './model-runner.ts';
export { tensorSlots, type TensorSlot } from './tensor-slots.ts';
export type { ForwardOutput, ForwardSequence, ModelRunnerOptions, RunnerBackend, RunnerDtype, RunnerSimd, RunnerTensor } from './types.ts';
export { tensorsFromImage } from './image-tensors.ts';
