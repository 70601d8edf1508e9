/**
 * The controller's read-only snapshot for placement policies. Bandwidths are what the
 * controller measured — the device ceilings times the loader's efficiency — and backlogs are
 * the estimates it gave when it queued loads; progress is the tokens each inference has so far.
 */
import type { InstanceView, ModelView, NodeView, PlacementView } from '../../policies/placement/index.ts';
import type { CatalogueEntry } from './catalogue.ts';
import type { ServerlessInstance } from './instance.ts';
import type { LoaderParams } from './loader.ts';
import type { SimNode } from './node.ts';

export function modelViews(catalogue: ReadonlyMap<string, CatalogueEntry>): Map<string, ModelView> {
  const views = new Map<string, ModelView>();
  for (const m of catalogue.values()) {
    views.set(m.name, {
      name: m.name,
      size_bytes: m.size_bytes,
      gpus_per_instance: m.gpus,
      resume_s_per_token: m.resume_s_per_token,
      resume_base_s: m.resume_base_s,
      decode_s_per_token: m.perf.decode_ms(1, 512) / 1e3,
    });
  }
  return views;
}

function nodeView(node: SimNode, loader: LoaderParams): NodeView {
  const e = loader.io_efficiency;
  return {
    id: node.id,
    gpus_total: node.owner.length,
    free_gpus: node.freeGpus(),
    dram_models: node.dram.keys(),
    ssd_models: node.ssd.keys(),
    loading_backlog_s: node.queue.backlog_s(),
    bandwidth: {
      network_bytes_per_s: node.network_bytes_per_s * e,
      ssd_bytes_per_s: node.ssd_bytes_per_s * e,
      pcie_bytes_per_s_per_gpu: node.pcie_bytes_per_s_per_gpu * e,
    },
    load_overhead_s: loader.overhead_s,
  };
}

function instanceView(instance: ServerlessInstance): InstanceView {
  return {
    id: instance.id,
    model: instance.model.name,
    node: instance.node,
    gpus: instance.gpus,
    state: instance.state === 'ready' ? 'ready' : instance.state === 'migrating' ? 'migrating' : 'loading',
    inferences: instance.requests.map((r) => ({ request: r.id, prompt_tokens: r.prompt_tokens, generated_tokens: r.generated, max_tokens: r.max_tokens })),
  };
}

export function buildView(
  now_s: number,
  nodes: readonly SimNode[],
  models: ReadonlyMap<string, ModelView>,
  instances: Iterable<ServerlessInstance>,
  loader: LoaderParams,
): PlacementView {
  const live = [...instances].filter((i) => i.state !== 'stopped' && i.state !== 'frozen').sort((a, b) => a.id - b.id);
  return { now_s, nodes: nodes.map((n) => nodeView(n, loader)), models, instances: live.map(instanceView) };
}
