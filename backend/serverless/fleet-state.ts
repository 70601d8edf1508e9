// What every part of the serverless fleet's manager shares: the deployed models, the instances
// and the nodes they run on, the placement requests waiting, the manager's clock and log, and
// the records tests and the example read (placements, migrations). The parts (deployment,
// routing, scaling, placement, instance lifecycle, migration) are classes over this state that
// reach each other through `FleetParts`, so none imports another's code.
import type { ServerlessScalingRule } from '../../policies/serverless/index.ts';
import type { PlacementDecision, PlacementRequest, PlacementSpecInput, PlacementView } from '../../policies/placement/index.ts';
import type { DeployConfig } from '../../config/serverless-deploy.ts';
import type { LLMEngineOptions } from '../engine/llm-engine.ts';
import type { GenerationRequest, TextTokenizer } from '../engine/types.ts';
import type { InstanceClient } from '../rpc/instance-client.ts';
import type { HeartbeatParams } from '../manager/agent-instances.ts';
import { FleetNode, type LaunchedInstance, type NodeSpec } from './node.ts';
import type { TokenMigrationEvent, TokenMigrationResult } from './token-migration.ts';
import type { Deployment } from './deployment.ts';
import type { InstanceLifecycle } from './instance-lifecycle.ts';
import type { MigrationOrchestrator } from './migration-orchestrator.ts';
import type { Placement } from './placement.ts';
import type { RequestRouting } from './request-routing.ts';
import type { Scaling } from './scaling.ts';

export interface ServerlessFleetOptions {
  readonly nodes: readonly NodeSpec[];
  /** Default: ServerlessLLM's locality-aware placement with live migration. */
  readonly placement?: PlacementSpecInput;
  /** Engine options of every instance (the model comes from the deployment). */
  readonly engine?: Omit<LLMEngineOptions, 'model'>;
  /** Rounds at most of a token migration. */
  readonly max_rounds?: number;
  /** Start-up estimate of a node before any of its instances was measured. Seconds. */
  readonly startup_estimate_s?: number;
  /** Receives every log line (the story of the run). */
  readonly log?: (line: string) => void;
  /** Node reports of agent nodes (`address`): their period, and how many missed make an agent dead. */
  readonly heartbeat?: HeartbeatParams;
}

export class ServerlessError extends Error {
  override readonly name = 'ServerlessError';
}

/** A stream ended because the manager stopped its instance (preempted): the request goes on elsewhere. */
export class InstanceStopped extends Error {}

export const RESUME_BASE_S = 0.1;
/** After a failure (a start or a migration), the same choice is not retried before this many seconds. */
export const RETRY_AFTER_S = 2;
export const DEFAULT_DECODE_S_PER_TOKEN = 0.01;

export interface Tracked {
  readonly request_id: string;
  readonly prompt_tokens: number;
  readonly max_tokens: number;
  generated: number;
}

export interface Waiter {
  readonly request: GenerationRequest;
  readonly generated: number;
  resolve(instance: RealInstance): void;
  reject(err: Error): void;
}

export interface Deployed {
  readonly name: string;
  readonly config: DeployConfig;
  readonly dir: string;
  /** What node agents are asked to store and start: the deployment's model folder or preset, as given. */
  readonly source: string;
  /** Bytes a load reads: the HF folder's files, or the checkpoint a node agent converted them into. */
  readonly size_bytes: number;
  readonly tokenizer: TextTokenizer;
  readonly max_model_len: number;
  readonly rule: ServerlessScalingRule;
  readonly queue: Waiter[];
  readonly instances: Set<RealInstance>;
  pending: number;
  inflight: number;
  /** Measured seconds per decoded token (EWMA over the streams the manager follows). */
  decode_s_per_token: number | undefined;
  deleted: boolean;
}

export interface RealInstance {
  readonly id: number;
  readonly model: Deployed;
  readonly node: FleetNode;
  readonly gpus: readonly number[];
  state: 'waiting' | 'loading' | 'ready' | 'migrating' | 'stopped';
  /** Started as a migration destination; joins its model's instances once the migration ends. */
  destination: boolean;
  process: LaunchedInstance | undefined;
  client: InstanceClient | undefined;
  readonly requests: Map<string, Tracked>;
  load_started_s: number | undefined;
  ready_s: number | undefined;
  /** After an aborted migration: not offered as a victim again before this time (seconds). */
  no_migration_until_s: number;
  /** Resolves once the process serves (false: it failed to start). */
  started: Promise<boolean>;
}

/** One placement the manager made: the view it showed the policy and the policy's answer. */
export interface PlacementRecord {
  readonly view: PlacementView;
  readonly request: PlacementRequest;
  readonly decision: PlacementDecision;
}

export interface MigrationRecord {
  readonly request_id: string;
  readonly model: string;
  readonly from_instance: number;
  readonly to_instance: number;
  readonly from_node: number;
  readonly to_node: number;
  readonly result: TokenMigrationResult;
  readonly events: readonly TokenMigrationEvent[];
}

/** The manager's parts, each one concept; they call each other through this record. */
export interface FleetParts {
  readonly deployment: Deployment;
  readonly routing: RequestRouting;
  readonly scaling: Scaling;
  readonly placement: Placement;
  readonly lifecycle: InstanceLifecycle;
  readonly migrations: MigrationOrchestrator;
}

export class FleetState {
  readonly nodes: readonly FleetNode[];
  readonly placements: PlacementRecord[] = [];
  readonly migrations: MigrationRecord[] = [];
  readonly lines: string[] = [];
  /** Requests resumed after their instance died. */
  failovers = 0;
  readonly models = new Map<string, Deployed>();
  readonly instances = new Map<number, RealInstance>();
  /** Placement requests of the auto-scalers not yet placed. */
  readonly pending: PlacementRequest[] = [];
  readonly background = new Set<Promise<unknown>>();
  nextInstance = 0;
  stopped = false;
  readonly #t0 = performance.now();

  constructor(readonly options: ServerlessFleetOptions) {
    if (options.nodes.length === 0) throw new ServerlessError('nodes is empty; expected at least one node');
    options.nodes.forEach((n, i) => {
      if (n.id !== i) throw new ServerlessError(`nodes[${i}].id = ${n.id}; expected ${i} (node ids are their index)`);
      if (!Number.isInteger(n.gpus) || n.gpus < 1) throw new ServerlessError(`nodes[${i}].gpus = ${n.gpus}; expected an integer >= 1`);
    });
    this.nodes = options.nodes.map((spec) => new FleetNode(spec, options.heartbeat));
  }

  get now_s(): number {
    return (performance.now() - this.#t0) / 1e3;
  }

  /** Logs `text` (one line per line of it), each stamped with the manager's clock. */
  log(text: string): void {
    for (const line of text.split('\n')) {
      const stamped = `[${this.now_s.toFixed(3).padStart(8)} s] ${line}`;
      this.lines.push(stamped);
      this.options.log?.(stamped);
    }
  }

  /** Runs `p` in the background: its failure is logged, and `stop` waits for it. */
  track(p: Promise<unknown>): void {
    const done = p.catch((err: unknown) => this.log(`background task failed: ${err instanceof Error ? err.message : String(err)}`));
    this.background.add(done);
    void done.finally(() => this.background.delete(done));
  }
}
