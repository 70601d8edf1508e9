import type { RecomputeRecord, RequestList, RequestRecord } from './records.ts';

const NO_RECOMPUTES: readonly RecomputeRecord[] = Object.freeze([]);

/** A column of float64 values that doubles its capacity when full. */
function grown(column: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(column);
  return next;
}

/** Unset optional times are stored as NaN (no record carries a NaN time). */
const stored = (t: number | undefined): number => t ?? Number.NaN;
const read = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/**
 * Request records folded into typed columns as requests leave the fleet: about 100 bytes a
 * request instead of an object with a dozen boxed numbers, so a run of a million requests keeps
 * no object per request and the garbage collector has none to trace or copy. `byId()` hands the
 * records back by id, each rebuilt as it is read (a short-lived object); every value is stored
 * as the float64 it was, so what is read back equals what was added.
 *
 * Priorities are stored as an index into the few distinct strings seen; recomputes and
 * rejection reasons, rare, in maps by row. The fields are written out one by one (no loop over
 * names): this runs once per request.
 */
export class RequestColumns {
  #capacity = 1024;
  #length = 0;
  #id = new Float64Array(1024);
  #instance = new Float64Array(1024);
  #arrival_s = new Float64Array(1024);
  #prompt_tokens = new Float64Array(1024);
  #output_tokens = new Float64Array(1024);
  #first_scheduled_s = new Float64Array(1024);
  #first_token_s = new Float64Array(1024);
  #last_token_s = new Float64Array(1024);
  #finish_s = new Float64Array(1024);
  #execution_s = new Float64Array(1024);
  #preemptions = new Float64Array(1024);
  #migrations = new Float64Array(1024);
  #priority = new Uint8Array(1024);
  readonly #priorities: string[] = [];
  readonly #recomputes = new Map<number, readonly RecomputeRecord[]>();
  readonly #rejected = new Map<number, string>();

  get length(): number {
    return this.#length;
  }

  add(record: RequestRecord): void {
    if (this.#length === this.#capacity) this.#grow();
    const row = this.#length++;
    this.#id[row] = record.id;
    this.#instance[row] = record.instance;
    this.#arrival_s[row] = record.arrival_s;
    this.#prompt_tokens[row] = record.prompt_tokens;
    this.#output_tokens[row] = record.output_tokens;
    this.#first_scheduled_s[row] = stored(record.first_scheduled_s);
    this.#first_token_s[row] = stored(record.first_token_s);
    this.#last_token_s[row] = stored(record.last_token_s);
    this.#finish_s[row] = stored(record.finish_s);
    this.#execution_s[row] = record.execution_s;
    this.#preemptions[row] = record.preemptions;
    this.#migrations[row] = record.migrations;
    let code = this.#priorities.indexOf(record.priority);
    if (code < 0) {
      if (this.#priorities.length === 255) throw new RangeError(`RequestColumns: more than 255 distinct priorities (new: ${JSON.stringify(record.priority)})`);
      code = this.#priorities.push(record.priority) - 1;
    }
    this.#priority[row] = code;
    if (record.recomputes.length > 0) this.#recomputes.set(row, record.recomputes);
    if (record.rejected !== undefined) this.#rejected.set(row, record.rejected);
  }

  /** The record stored at `row` (in the order added), rebuilt. */
  at(row: number): RequestRecord {
    if (!(Number.isInteger(row) && row >= 0 && row < this.#length)) throw new RangeError(`RequestColumns.at: row ${row} outside [0, ${this.#length})`);
    const rejected = this.#rejected.get(row);
    return {
      id: this.#id[row] as number,
      priority: this.#priorities[this.#priority[row] as number] as string,
      instance: this.#instance[row] as number,
      arrival_s: this.#arrival_s[row] as number,
      prompt_tokens: this.#prompt_tokens[row] as number,
      output_tokens: this.#output_tokens[row] as number,
      first_scheduled_s: read(this.#first_scheduled_s[row] as number),
      first_token_s: read(this.#first_token_s[row] as number),
      last_token_s: read(this.#last_token_s[row] as number),
      finish_s: read(this.#finish_s[row] as number),
      execution_s: this.#execution_s[row] as number,
      preemptions: this.#preemptions[row] as number,
      migrations: this.#migrations[row] as number,
      recomputes: this.#recomputes.get(row) ?? NO_RECOMPUTES,
      ...(rejected === undefined ? {} : { rejected }),
    };
  }

  /**
   * The records by id (equal ids keep the order they were added in), read lazily. Rows are
   * placed by id directly when the ids are 0..n−1 each once (every simulated run), else sorted.
   */
  byId(): RequestList {
    const order = this.#idOrder();
    const length = this.#length;
    const at = (row: number): RequestRecord => this.at(row);
    return {
      length,
      *[Symbol.iterator](): Iterator<RequestRecord> {
        for (let i = 0; i < length; i++) yield at(order[i] as number);
      },
    };
  }

  #idOrder(): Uint32Array {
    const ids = this.#id;
    const n = this.#length;
    const order = new Uint32Array(n);
    const placed = new Uint8Array(n);
    let dense = true;
    for (let row = 0; row < n; row++) {
      const id = ids[row] as number;
      if (!Number.isInteger(id) || id < 0 || id >= n || placed[id] === 1) {
        dense = false;
        break;
      }
      placed[id] = 1;
      order[id] = row;
    }
    if (dense) return order;
    for (let row = 0; row < n; row++) order[row] = row;
    return order.sort((a, b) => (ids[a] as number) - (ids[b] as number) || a - b);
  }

  #grow(): void {
    const capacity = (this.#capacity *= 2);
    this.#id = grown(this.#id, capacity);
    this.#instance = grown(this.#instance, capacity);
    this.#arrival_s = grown(this.#arrival_s, capacity);
    this.#prompt_tokens = grown(this.#prompt_tokens, capacity);
    this.#output_tokens = grown(this.#output_tokens, capacity);
    this.#first_scheduled_s = grown(this.#first_scheduled_s, capacity);
    this.#first_token_s = grown(this.#first_token_s, capacity);
    this.#last_token_s = grown(this.#last_token_s, capacity);
    this.#finish_s = grown(this.#finish_s, capacity);
    this.#execution_s = grown(this.#execution_s, capacity);
    this.#preemptions = grown(this.#preemptions, capacity);
    this.#migrations = grown(this.#migrations, capacity);
    const priority = new Uint8Array(capacity);
    priority.set(this.#priority);
    this.#priority = priority;
  }
}
