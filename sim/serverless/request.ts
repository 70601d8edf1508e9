import { Sequence } from '../../engine/index.ts';

/**
 * A request of a serverless run: an engine `Sequence` (tokens counted, KV blocks, status —
 * written by its instance's engine) plus its stream. Tokens are counted only when emitted, and
 * every emission is logged with its time and instance, so a test can check that a migrated
 * stream has no gap and no duplicate. A preempted request's discarded output is kept apart
 * (`discarded_tokens`).
 */
export class ServerlessRequest extends Sequence {
  readonly token_times_s: number[] = [];
  readonly token_instances: number[] = [];
  discarded_tokens = 0;
  first_token_s: number | undefined;
  finish_s: number | undefined;
  instance: number | undefined;
  migrations = 0;
  restarts = 0;
  /** Waited for an instance to start (no warm instance had room on arrival). */
  cold_start = false;

  constructor(
    id: number,
    readonly model: string,
    arrival_s: number,
    prompt_tokens: number,
    readonly output_tokens: number,
    /** The client's max_tokens: what the router knows; the real output may stop earlier (EOS). */
    readonly max_tokens: number = output_tokens,
  ) {
    super({ id, arrival_s, priority: 'normal', prompt_tokens, max_output_tokens: max_tokens });
  }

  /** Prompt + generated: what the KV cache must cover. */
  get length_tokens(): number {
    return this.num_tokens;
  }

  get done(): boolean {
    return this.generated >= this.output_tokens;
  }

  /** Logs the token its engine just appended. */
  record(time_s: number, instance: number): void {
    if (this.generated > this.output_tokens) throw new Error(`request ${this.id}: token ${this.generated} beyond its ${this.output_tokens}`);
    this.token_times_s.push(time_s);
    this.token_instances.push(instance);
    this.first_token_s ??= time_s;
    if (this.done) this.finish_s = time_s;
  }

  /** Preemption: the output so far is thrown away and the request starts over. */
  override restart(): void {
    this.discarded_tokens += this.generated;
    super.restart();
    this.token_times_s.length = 0;
    this.token_instances.length = 0;
    this.first_token_s = undefined;
    this.instance = undefined;
    this.restarts++;
  }
}
