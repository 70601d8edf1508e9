import seedrandom from 'seedrandom';
import { generateArrivals, type ArrivalConfig } from '../traces/index.ts';

/**
 * The arrival process vLLM's client uses: everything at once for an infinite rate, else gaps
 * drawn from Gamma(shape = burstiness, scale = 1 / (rate · burstiness)), which is Poisson at
 * burstiness 1. The traces/ generators draw them, from the seed's `arrivals` stream.
 */
export function arrivalConfig(request_rate: number, burstiness: number): ArrivalConfig {
  if (request_rate === Infinity) return { kind: 'burst' };
  if (burstiness === 1) return { kind: 'poisson', rate_per_s: request_rate };
  return { kind: 'gamma', rate_per_s: request_rate, burstiness };
}

/** Send times in seconds from the benchmark start, first at 0. */
export function sendTimes(n: number, request_rate: number, burstiness: number, seed: number): number[] {
  return generateArrivals(arrivalConfig(request_rate, burstiness), n, seedrandom(`${seed}:arrivals`), () => {
    throw new Error('synthetic arrivals read no trace');
  });
}

/** At most `limit` holders at once; the rest wait in FIFO order. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
