/**
 * The KServe baseline of the paper's end-to-end comparison (reference/serverlessllm.md §8:
 * "KServe (remote download per cold start) is the slowest"): a model server started on demand
 * in a fresh pod, whose storage initializer downloads the whole checkpoint from remote storage
 * before the server process starts and loads it with Safetensors. Nothing survives the pod: no
 * local SSD copy, no DRAM pool, so every cold start pays the download again.
 *
 * Start-up costs from public numbers (none of them fitted to the paper's results):
 * - pod start of a scale-from-zero Knative revision (KServe's serverless mode runs on Knative),
 *   image already on the node: ~2 s ("a regular ~2second pod startup time" on an idle cluster,
 *   https://github.com/knative/serving/issues/2484);
 * - the server runtime starting before it can load (Python process, libraries, engine init):
 *   5–10 s for a vLLM container ("Runtime container starts … ~5-10 seconds",
 *   https://www.kunwar.page/chapter/052-the-model-cold-start-problem-and-pre-cached-weights);
 *   we take the low end, 5 s, which favours KServe;
 * - the download: the cluster's network link to remote storage (10 Gbps, as Ray Serve's remote
 *   tier), not overlapped with loading (the init container finishes before the server starts);
 * - the load: Safetensors' calibrated host ceiling (3.6 GB/s) and fixed cost (0.3 s),
 *   sim/serverless/calibration.ts.
 *
 * Not modelled: image pulls on a node that never ran the image (30–60 s more in the same
 * sources), Knative's activator and autoscaler delays (stable window, panic mode), the pod's
 * readiness probe period.
 */
import { LOADER_CALIBRATION } from '../../sim/serverless/calibration.ts';

export const KSERVE_POD_START_S = 2;
export const KSERVE_RUNTIME_START_S = 5;

const safetensors = LOADER_CALIBRATION.safetensors;

/** KServe's cold start as a `custom` loader: download, then Safetensors, one after another, after the pod and runtime start. */
export const KSERVE_LOADER = {
  kind: 'custom',
  name: 'kserve',
  io_efficiency: safetensors.io_efficiency,
  pipelined: false,
  host_gb_per_s: safetensors.host_bytes_per_s / 1e9,
  overhead_s: KSERVE_POD_START_S + KSERVE_RUNTIME_START_S + safetensors.overhead_s,
} as const;
