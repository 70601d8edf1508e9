// A request's own random stream (Alea via seedrandom): one draw per sampled token, state a
// small JSON object, so a migrated or preempted request continues the exact same stream on
// another instance.
import seedrandom from 'seedrandom';

export interface SamplingRngState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/** The stream's seed text: the request's own seed, else one derived from the engine seed and request id. */
export function samplingSeed(requestSeed: number | undefined, engineSeed: number, requestId: string): string {
  return requestSeed !== undefined ? `request-seed:${requestSeed}` : `engine-seed:${engineSeed}:${requestId}`;
}

export class SamplingRng {
  readonly #prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;

  private constructor(prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>) {
    this.#prng = prng;
  }

  static fromSeed(seed: string): SamplingRng {
    return new SamplingRng(seedrandom.alea(seed, { state: true }));
  }

  static fromState(state: SamplingRngState): SamplingRng {
    for (const k of ['c', 's0', 's1', 's2'] as const) {
      if (typeof state?.[k] !== 'number' || !Number.isFinite(state[k])) {
        throw new TypeError(`sampling RNG state.${k} must be a finite number, received ${JSON.stringify(state?.[k])}`);
      }
    }
    return new SamplingRng(seedrandom.alea('', { state: { ...state } }));
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    return this.#prng();
  }

  state(): SamplingRngState {
    const s = this.#prng.state();
    return { c: s.c, s0: s.s0, s1: s.s1, s2: s.s2 };
  }
}
