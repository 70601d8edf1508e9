import seedrandom from 'seedrandom';

/** A uniform [0, 1) stream. */
export type Rng = () => number;

/**
 * Named random streams derived from one seed. Each component draws from its own stream
 * (`arrivals`, `lengths`, `dispatch`, …) so that an extra draw in one component never shifts
 * the numbers another component sees.
 */
export class RngStreams {
  readonly #seed: number;
  readonly #streams = new Map<string, Rng>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  stream(name: string): Rng {
    let rng = this.#streams.get(name);
    if (rng === undefined) {
      rng = seedrandom(`${this.#seed}:${name}`);
      this.#streams.set(name, rng);
    }
    return rng;
  }
}
