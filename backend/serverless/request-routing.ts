// Routing (ServerlessLLM's per-model routers): one FIFO queue per model, each request given to
// the least-loaded ready instance with room (policies/serverless), and the client's one stream
// followed across token migrations (`migrated_to` → Attach on the destination) and, when its
// instance dies, resumed on another one from the tokens already streamed. No token is lost or
// repeated. The decode time per token the placement view uses is measured here.
import { instanceCapacity, leastLoadedInstance } from '../../policies/serverless/index.ts';
import type { EngineStats, GenerationDelta, GenerationRequest } from '../engine/types.ts';
import { followStream } from '../manager/follow-stream.ts';
import { InstanceStopped, ServerlessError, type Deployed, type FleetParts, type FleetState, type RealInstance, type Waiter } from './fleet-state.ts';

export class RequestRouting {
  constructor(private readonly s: FleetState, private readonly p: FleetParts) {}

  stats(model: Deployed): EngineStats {
    let running = 0;
    for (const i of model.instances) running += i.requests.size;
    return { num_requests_running: running, num_requests_waiting: model.queue.length, kv_cache_usage_perc: 0 };
  }

  /** The client's stream of `request` to `model`: queued, served, followed, resumed. */
  async *serve(model: Deployed, request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const s = this.s;
    const produced = request.resume_output_token_ids?.length ?? 0;
    model.inflight++;
    this.p.scaling.autoscale(model);
    let instance: RealInstance | undefined;
    let lastToken_ms: number | undefined;
    try {
      instance = await this.acquire(model, request, produced, signal);
      yield* followStream(request, { instance, stream: instance.client!.generate(request, signal) }, {
        delta: (from, d, n) => {
          if (d.finish_reason === 'abort' && signal?.aborted !== true && from.state === 'stopped') throw new InstanceStopped();
          const tracked = from.requests.get(request.request_id);
          if (tracked !== undefined) tracked.generated = n;
          const now = performance.now();
          if (lastToken_ms !== undefined && d.token_ids.length > 0) this.#measureDecode(model, (now - lastToken_ms) / 1e3 / d.token_ids.length);
          lastToken_ms = now;
        },
        died: async (from, err) => err instanceof InstanceStopped || !(await this.p.lifecycle.alive(from)),
        resume: async (resumed, from) => {
          // Its instance died: resume elsewhere from the tokens the client already has.
          const done = resumed.resume_output_token_ids?.length ?? 0;
          s.failovers++;
          this.untrack(from, request.request_id);
          s.log(`Instance ${from.id} (${model.name}) died; resuming request ${request.request_id} from its ${done} output tokens`);
          instance = await this.acquire(model, resumed, done, signal);
          lastToken_ms = undefined;
          return { instance, stream: instance.client!.generate(resumed, signal) };
        },
        moved: (address, from) => {
          const to = [...s.instances.values()].find((i) => i.client?.address === address);
          if (to === undefined) throw new ServerlessError(`request ${request.request_id} migrated to ${address}, which is not an instance of this fleet`);
          const tracked = from.requests.get(request.request_id);
          this.untrack(from, request.request_id);
          if (tracked !== undefined) to.requests.set(request.request_id, tracked);
          s.log(`Resuming request ${request.request_id} on target instance ${to.id} (node ${to.node.id})`);
          instance = to;
          return { instance: to, stream: to.client!.attach(request.request_id, signal) };
        },
      }, signal);
    } finally {
      if (instance !== undefined) this.untrack(instance, request.request_id);
      model.inflight--;
      this.p.scaling.autoscale(model);
    }
  }

  #measureDecode(model: Deployed, s: number): void {
    if (!Number.isFinite(s) || s <= 0) return;
    model.decode_s_per_token = model.decode_s_per_token === undefined ? s : 0.9 * model.decode_s_per_token + 0.1 * s;
  }

  /** Waits for a ready instance of `model` with room; the request is tracked there. */
  acquire(model: Deployed, request: GenerationRequest, generated: number, signal?: AbortSignal): Promise<RealInstance> {
    if (model.deleted) return Promise.reject(new ServerlessError(`model "${model.name}" was deleted`));
    return new Promise<RealInstance>((resolve, reject) => {
      const waiter: Waiter = { request, generated, resolve, reject };
      model.queue.push(waiter);
      signal?.addEventListener('abort', () => {
        const at = model.queue.indexOf(waiter);
        if (at >= 0) {
          model.queue.splice(at, 1);
          reject(new ServerlessError(`request ${request.request_id} aborted while queued`));
        }
      }, { once: true });
      this.dispatch(model);
    });
  }

  /** Hands queued requests of `model` to its least-loaded ready instances with room. */
  dispatch(model: Deployed): void {
    const capacity = instanceCapacity(model.rule);
    while (model.queue.length > 0) {
      const chosen = leastLoadedInstance([...model.instances].map((i) => ({ id: i.id, ready: i.state === 'ready', load: i.requests.size })), capacity);
      if (chosen === undefined) return;
      const instance = this.s.instances.get(chosen)!;
      const waiter = model.queue.shift()!;
      const r = waiter.request;
      instance.requests.set(r.request_id, { request_id: r.request_id, prompt_tokens: r.prompt_token_ids.length, max_tokens: r.sampling.max_tokens, generated: waiter.generated });
      waiter.resolve(instance);
    }
  }

  /** The request left `instance`; an instance left with none starts its keep-alive. */
  untrack(instance: RealInstance, request_id: string): void {
    if (!instance.requests.delete(request_id)) return;
    if (instance.requests.size === 0 && instance.state === 'ready') this.p.scaling.idle(instance);
  }
}
