/**
 * A request of a serverless run. Tokens are counted only when emitted, and every emission is
 * logged with its time and instance, so a test can check that a migrated stream has no gap
 * and no duplicate. A preempted request's discarded output is kept apart (`discarded_tokens`).
 */
export class ServerlessRequest {
  generated = 0;
  /** Tokens whose KV cache exists on the current instance. */
  kv_tokens = 0;
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
    readonly id: number,
    readonly model: string,
    readonly arrival_s: number,
    readonly prompt_tokens: number,
    readonly output_tokens: number,
    /** The client's max_tokens: what the router knows; the real output may stop earlier (EOS). */
    readonly max_tokens: number = output_tokens,
  ) {}

  /** Prompt + generated: what the KV cache must cover. */
  get length_tokens(): number {
    return this.prompt_tokens + this.generated;
  }

  get done(): boolean {
    return this.generated >= this.output_tokens;
  }

  emit(time_s: number, instance: number): void {
    if (this.done) throw new Error(`request ${this.id}: token ${this.generated + 1} beyond its ${this.output_tokens}`);
    this.generated++;
    this.token_times_s.push(time_s);
    this.token_instances.push(instance);
    this.first_token_s ??= time_s;
    if (this.done) this.finish_s = time_s;
  }

  /** Preemption: the output so far is thrown away and the request starts over. */
  restart(): void {
    this.discarded_tokens += this.generated;
    this.generated = 0;
    this.kv_tokens = 0;
    this.token_times_s.length = 0;
    this.token_instances.length = 0;
    this.first_token_s = undefined;
    this.instance = undefined;
    this.restarts++;
  }
}
