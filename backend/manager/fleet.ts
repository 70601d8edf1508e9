// The real fleet's manager: instance processes, a ClusterView built from their step reports
// (wall-clock time), and the same policies/ GlobalScheduler the simulator runs deciding where
// each request goes. To an API server it is one GenerationEngine per model.
import { createScheduler, type ClusterView, type GlobalScheduler, type InstanceReport, type SchedulerSpecInput } from '../../policies/index.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import type { EngineStats, GenerationDelta, GenerationEngine, GenerationRequest, TextTokenizer } from '../engine/types.ts';
import { loadTokenizer, readModelFolder, resolveModelDir } from '../model/index.ts';
import type { ReportMessage } from '../rpc/messages.ts';
import { InstanceClient } from '../rpc/instance-client.ts';
import { startInstanceProcess, type InstanceProcess } from './instance-process.ts';

export interface FleetOptions {
  /** Instance processes to start on this machine. */
  readonly instances: number;
  /** Engine of every instance (model, KV blocks, threads, …). */
  readonly engine: LLMEngineOptions;
  /** The same `scheduler:` section a simulation config takes (dispatch only for now). */
  readonly scheduler: SchedulerSpecInput;
  readonly host?: string;
}

interface Member {
  readonly id: number;
  readonly process: InstanceProcess;
  readonly client: InstanceClient;
  report: InstanceReport;
  alive: boolean;
}

export class FleetError extends Error {
  override readonly name = 'FleetError';
}

export class Fleet implements GenerationEngine {
  readonly model_name: string;
  readonly max_model_len: number;
  readonly tokenizer: TextTokenizer;
  readonly scheduler: GlobalScheduler;
  readonly #members: Member[];
  readonly #dispatched: number[];
  readonly #t0_ms = performance.now();
  #reportsTotal = 0;

  private constructor(name: string, tokenizer: TextTokenizer, scheduler: GlobalScheduler, members: Member[], maxModelLen: number) {
    this.model_name = name;
    this.tokenizer = tokenizer;
    this.scheduler = scheduler;
    this.#members = members;
    this.#dispatched = members.map(() => 0);
    this.max_model_len = maxModelLen;
  }

  static async start(opts: FleetOptions): Promise<Fleet> {
    if (!Number.isInteger(opts.instances) || opts.instances < 1) throw new FleetError(`instances = ${opts.instances}; expected an integer >= 1`);
    const scheduler = createScheduler(opts.scheduler);
    if (scheduler.migration !== undefined) {
      throw new FleetError('scheduler.pairing/selector/trigger: live migration between real instances is not implemented yet; use a dispatch-only scheduler (e.g. the llumnix dispatch without pairing)');
    }
    if (scheduler.scaling !== undefined) throw new FleetError('scheduler.scaling: auto-scaling of real instance processes is not implemented yet; remove `scaling`');
    const folder = await readModelFolder(await resolveModelDir(opts.engine.model));
    const tokenizer = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
    const processes: InstanceProcess[] = [];
    try {
      // One at a time: the first start converts the model once; the others reuse the conversion.
      for (let i = 0; i < opts.instances; i++) processes.push(await startInstanceProcess(opts.engine, opts.host === undefined ? {} : { host: opts.host }));
    } catch (err) {
      await Promise.all(processes.map((p) => p.stop()));
      throw err;
    }
    const members = processes.map((p, id): Member => ({
      id, process: p, client: new InstanceClient(`${p.host}:${p.port}`), alive: true,
      report: { id, state: 'active', reported: false, report_time_s: 0, total_blocks: 1, watermark_blocks: 0, free_blocks: 1, running: 0, waiting: 0, killed: 0, head_waiting_blocks: 0, all_waiting_blocks: 0, high_priority: 0, last_running_blocks: 0, migrations_in_flight: 0 },
    }));
    const fleet = new Fleet(opts.engine.model, tokenizer, scheduler, members, Math.min(...processes.map((p) => p.max_model_len)));
    for (const m of members) fleet.#watch(m);
    return fleet;
  }

  /** Seconds since the manager started (the port's clock in the real world). */
  get now_s(): number {
    return (performance.now() - this.#t0_ms) / 1e3;
  }

  view(): ClusterView {
    const live = this.#members.filter((m) => m.alive);
    return {
      now_s: this.now_s,
      instances: live.map((m) => m.report),
      dispatched: live.map((m) => this.#dispatched[m.id] ?? 0),
      reports_total: this.#reportsTotal,
    };
  }

  /** The fleet's load from the latest reports: requests summed, KV usage averaged over live instances. */
  stats(): EngineStats {
    const live = this.#members.filter((m) => m.alive);
    let running = 0;
    let waiting = 0;
    let usage = 0;
    for (const m of live) {
      running += m.report.running;
      waiting += m.report.waiting;
      usage += 1 - m.report.free_blocks / m.report.total_blocks;
    }
    return { num_requests_running: running, num_requests_waiting: waiting, kv_cache_usage_perc: live.length === 0 ? 0 : usage / live.length };
  }

  /** Requests dispatched to each instance so far, by instance id. */
  get dispatched(): readonly number[] {
    return this.#dispatched;
  }

  get pids(): readonly number[] {
    return this.#members.map((m) => m.process.pid);
  }

  generate(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationDelta> {
    const verdict = this.scheduler.dispatch(
      { id: this.#dispatched.reduce((a, b) => a + b, 0), prompt_tokens: request.prompt_token_ids.length, priority: request.priority ?? 'normal' },
      this.view(),
    );
    if (!verdict.ok) throw new FleetError(`no instance can take request ${request.request_id}: ${verdict.policy}: ${verdict.reasons.join('; ')}`);
    const member = this.#members[verdict.value];
    if (member === undefined || !member.alive) throw new FleetError(`dispatch policy ${verdict.policy} chose instance ${verdict.value}, which is not serving`);
    this.#dispatched[member.id] = (this.#dispatched[member.id] ?? 0) + 1;
    return member.client.generate(request, signal);
  }

  /** Shuts every instance down (Shutdown RPC, then SIGTERM/SIGKILL by pid). */
  async stop(): Promise<void> {
    await Promise.all(
      this.#members.map(async (m) => {
        m.alive = false;
        m.client.close();
        await m.process.stop();
      }),
    );
  }

  #watch(m: Member): void {
    let first = true;
    m.client.subscribeReports(
      (r: ReportMessage) => {
        const reported = !first;
        first = false;
        if (reported) this.#reportsTotal++;
        m.report = {
          id: m.id, state: 'active', reported: reported || m.report.reported, report_time_s: this.now_s,
          total_blocks: r.total_blocks, watermark_blocks: r.watermark_blocks, free_blocks: r.free_blocks,
          running: r.running, waiting: r.waiting, killed: r.killed, head_waiting_blocks: r.head_waiting_blocks,
          all_waiting_blocks: r.all_waiting_blocks, high_priority: r.high_priority, last_running_blocks: r.last_running_blocks,
          migrations_in_flight: 0,
        };
      },
      () => {
        // The report stream broke: the instance is gone (or shutting down); it leaves the view.
        m.alive = false;
      },
    );
    void m.process.exited.then(() => (m.alive = false));
  }
}
