import type { RecomputeRecord, RequestList, RequestRecord } from './records.ts';

const NO_RECOMPUTES: readonly RecomputeRecord[] = Object.freeze([]);

/** The numeric fields of a request record, one Float64Array column each (undefined kept as NaN). */
const NUMBER_FIELDS = [
  'id', 'instance', 'arrival_s', 'prompt_tokens', 'output_tokens', 'first_scheduled_s', 'first_token_s', 'last_token_s', 'finish_s', 'execution_s', 'preemptions', 'migrations',
] as const;
type NumberField = (typeof NUMBER_FIELDS)[number];

/**
 * Request records folded into typed columns as requests leave the fleet: about 100 bytes a
 * request instead of an object with a dozen boxed numbers, so a run of a million requests keeps
 * no object per request and the garbage collector has none to trace or copy. `byId()` hands the
 * records back by id, each rebuilt as it is read (a short-lived object); every value is stored
 * as the float64 it was, so what is read back equals what was added.
 *
 * Unset optional times are stored as NaN (no record carries a NaN time); priorities as an index
 * into the few distinct strings seen; recomputes and rejection reasons, rare, in maps by row.
 */
export class RequestColumns {
  #capacity = 1024;
  #length = 0;
  readonly #numbers = new Map<NumberField, Float64Array>(NUMBER_FIELDS.map((f) => [f, new Float64Array(1024)]));
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
    for (const field of NUMBER_FIELDS) (this.#numbers.get(field) as Float64Array)[row] = record[field] ?? Number.NaN;
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
    if (!(row >= 0 && row < this.#length)) throw new RangeError(`RequestColumns.at: row ${row} outside [0, ${this.#length})`);
    const n = (field: NumberField): number => (this.#numbers.get(field) as Float64Array)[row] as number;
    const optional = (field: NumberField): number | undefined => {
      const v = n(field);
      return Number.isNaN(v) ? undefined : v;
    };
    const rejected = this.#rejected.get(row);
    return {
      id: n('id'),
      priority: this.#priorities[this.#priority[row] as number] as string,
      instance: n('instance'),
      arrival_s: n('arrival_s'),
      prompt_tokens: n('prompt_tokens'),
      output_tokens: n('output_tokens'),
      first_scheduled_s: optional('first_scheduled_s'),
      first_token_s: optional('first_token_s'),
      last_token_s: optional('last_token_s'),
      finish_s: optional('finish_s'),
      execution_s: n('execution_s'),
      preemptions: n('preemptions'),
      migrations: n('migrations'),
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
    const ids = this.#numbers.get('id') as Float64Array;
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
    this.#capacity *= 2;
    for (const field of NUMBER_FIELDS) {
      const grown = new Float64Array(this.#capacity);
      grown.set(this.#numbers.get(field) as Float64Array);
      this.#numbers.set(field, grown);
    }
    const priority = new Uint8Array(this.#capacity);
    priority.set(this.#priority);
    this.#priority = priority;
  }
}
