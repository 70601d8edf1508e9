import type { EngineStats, GenerationEngine } from '../engine/types.ts';

/** A served model as `/v1/models` lists it. */
export interface ServedModel {
  readonly name: string;
  readonly max_model_len: number;
}

/**
 * Where the API sends a request: the fleet manager implements this to dispatch between
 * instances; `StaticEngineRouter` serves a fixed set of engines.
 */
export interface EngineRouter {
  /** Served models, in listing order. */
  models(): readonly ServedModel[];
  /** The engine for the next request to `model`; undefined when the model is not served. */
  pick(model: string): GenerationEngine | undefined;
  /** The model's load over its engines for the `/metrics` gauges; undefined when unknown. */
  stats?(model: string): EngineStats | undefined;
}

/** Engines grouped by model name, picked round-robin within a model. */
export class StaticEngineRouter implements EngineRouter {
  readonly #byModel = new Map<string, { engines: GenerationEngine[]; next: number }>();

  constructor(engines: readonly GenerationEngine[]) {
    if (engines.length === 0) throw new Error('StaticEngineRouter needs at least one engine');
    for (const engine of engines) {
      const group = this.#byModel.get(engine.model_name);
      if (group === undefined) this.#byModel.set(engine.model_name, { engines: [engine], next: 0 });
      else if (group.engines[0]?.max_model_len !== engine.max_model_len) {
        throw new Error(`engines of model "${engine.model_name}" disagree on max_model_len`);
      } else group.engines.push(engine);
    }
  }

  models(): readonly ServedModel[] {
    return [...this.#byModel].map(([name, g]) => ({ name, max_model_len: g.engines[0]?.max_model_len ?? 0 }));
  }

  pick(model: string): GenerationEngine | undefined {
    const group = this.#byModel.get(model);
    if (group === undefined) return undefined;
    const engine = group.engines[group.next % group.engines.length];
    group.next++;
    return engine;
  }

  /** Running and waiting summed over the engines, KV usage averaged; undefined if any engine has no stats. */
  stats(model: string): EngineStats | undefined {
    const group = this.#byModel.get(model);
    if (group === undefined) return undefined;
    let running = 0;
    let waiting = 0;
    let kv = 0;
    for (const engine of group.engines) {
      const s = engine.stats?.();
      if (s === undefined) return undefined;
      running += s.num_requests_running;
      waiting += s.num_requests_waiting;
      kv += s.kv_cache_usage_perc;
    }
    return { num_requests_running: running, num_requests_waiting: waiting, kv_cache_usage_perc: kv / group.engines.length };
  }
}
