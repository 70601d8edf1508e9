// Stop strings over streamed text: text that could be the start of a stop string is held back
// until it is known not to be one; a stop string found ends the output just before it.

export interface StopScan {
  /** Text safe to emit now. */
  readonly text: string;
  /** The stop string found (the output ends before it), if any. */
  readonly stop?: string;
}

export class StopStringMatcher {
  readonly #stops: readonly string[];
  #held = '';

  /** `held`: text a previous matcher held back (a migrated request's, see heldText). */
  constructor(stops: readonly string[], held = '') {
    if (stops.some((s) => s.length === 0)) throw new RangeError('stop strings must be non-empty');
    this.#stops = stops;
    this.#held = held;
  }

  /** Text held back because it may start a stop string. */
  get heldText(): string {
    return this.#held;
  }

  /** Scans new text; after a stop is reported, the matcher must not be used again. */
  push(delta: string): StopScan {
    if (this.#stops.length === 0) return { text: delta };
    const text = this.#held + delta;
    let at = -1;
    let found: string | undefined;
    for (const s of this.#stops) {
      const i = text.indexOf(s);
      // The earliest stop wins; at one position the longer one (it contains the shorter's start).
      if (i >= 0 && (at < 0 || i < at || (i === at && s.length > found!.length))) {
        at = i;
        found = s;
      }
    }
    if (found !== undefined) {
      this.#held = '';
      return { text: text.slice(0, at), stop: found };
    }
    const hold = this.#partialStopSuffix(text);
    this.#held = text.slice(text.length - hold);
    return { text: text.slice(0, text.length - hold) };
  }

  /** The text held back (at the end of generation it is emitted). */
  flush(): string {
    const held = this.#held;
    this.#held = '';
    return held;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
  #partialStopSuffix(text: string): number {
    let best = 0;
    for (const s of this.#stops) {
      for (let n = Math.min(s.length - 1, text.length); n > best; n--) {
        if (text.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
