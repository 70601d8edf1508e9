/**
 * One node's loading queue: loads run one at a time (ServerlessLLM §5.1 — sequential loads do
 * not fight over bandwidth, which keeps estimates simple). A task's real duration is computed
 * when it starts (the checkpoint may have reached a faster tier meanwhile); the queue also
 * keeps the estimate given at enqueue time, which is what a controller can see (`backlog_s`).
 */
import { Band, type Simulation } from '../kernel/index.ts';

export interface LoadTask {
  readonly label: string;
  /** What the controller expects the task to take, at enqueue time. Seconds. */
  readonly estimate_s: number;
  /** Called at start: the real duration in seconds. */
  start(): number;
  /** Called at the end (`ok` false: the load failed). */
  done(): void;
}

export class LoadingQueue {
  readonly #waiting: LoadTask[] = [];
  #busyUntil_s = 0;
  #running: LoadTask | undefined;
  #runningEstimateEnd_s = 0;

  constructor(readonly sim: Simulation) {}

  get length(): number {
    return this.#waiting.length + (this.#running === undefined ? 0 : 1);
  }

  enqueue(task: LoadTask): void {
    this.#waiting.push(task);
    if (this.#running === undefined) this.#next();
  }

  /** Estimated seconds until every queued task is done (controller's view). */
  backlog_s(): number {
    let backlog = this.#running === undefined ? 0 : Math.max(0, this.#runningEstimateEnd_s - this.sim.now_s);
    for (const task of this.#waiting) backlog += task.estimate_s;
    return backlog;
  }

  /** When the running task really ends (tests). */
  get busyUntil_s(): number {
    return this.#busyUntil_s;
  }

  #next(): void {
    const task = this.#waiting.shift();
    this.#running = task;
    if (task === undefined) return;
    const duration = task.start();
    if (!(duration >= 0) || !Number.isFinite(duration)) throw new Error(`load ${task.label}: duration ${duration} s`);
    this.#busyUntil_s = this.sim.now_s + duration;
    this.#runningEstimateEnd_s = this.sim.now_s + task.estimate_s;
    this.sim.after(duration, Band.stepEnd, () => {
      this.#running = undefined;
      task.done();
      this.#next();
    });
  }
}
