// Adapts a host checkpoint image (backend/native loader: one Buffer + TensorView offsets) to
// the runner's tensor lookup, zero-copy: each tensor is a Uint8Array view into the image.
import type { TensorView } from '../../native/tensor-view.ts';
import type { RunnerDtype, RunnerTensor } from './types.ts';
import { invalid } from './validate.ts';

const RUNNER_DTYPES: readonly string[] = ['f32', 'bf16', 'f16'];

export function tensorsFromImage(image: Buffer, views: ReadonlyMap<string, TensorView>): (name: string) => RunnerTensor | undefined {
  return (name) => {
    const v = views.get(name);
    if (!v) return undefined;
    if (!RUNNER_DTYPES.includes(v.dtype)) throw invalid(`tensor ${name} has dtype ${v.dtype}; the runner reads f32, bf16 or f16`);
    if (v.offset + v.size > image.byteLength) throw invalid(`tensor ${name} spans bytes [${v.offset}, ${v.offset + v.size}) beyond the ${image.byteLength}-byte image`);
    return { dtype: v.dtype as RunnerDtype, shape: v.shape, data: new Uint8Array(image.buffer, image.byteOffset + v.offset, v.size) };
  };
}
