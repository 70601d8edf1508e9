import type { InstanceSample, MigrationRecord, RequestRecord, RunEnd, RunInfo, RunObserver, RunRecords, StepRecord } from './records.ts';
import { RequestColumns } from './request-columns.ts';

/**
 * The observer behind every results folder: keeps a run's records and hands them over as
 * `RunRecords` once the run has ended. Request records are folded into typed columns as they
 * arrive (`RequestColumns`) and read back by id. Steps are kept only when asked (`keepSteps`): a long run
 * has millions of them and most runs never write steps.csv or trace.json.
 */
export class RecordCollector implements RunObserver {
  #info: RunInfo | undefined;
  #end: RunEnd | undefined;
  readonly #requests = new RequestColumns();
  readonly #migrations: MigrationRecord[] = [];
  readonly #samples: InstanceSample[] = [];
  readonly #steps: StepRecord[] | undefined;
  /** Undefined unless steps are kept, so emitters skip building step records. */
  readonly step: ((record: StepRecord) => void) | undefined;

  constructor(options: { readonly keepSteps?: boolean } = {}) {
    if (options.keepSteps === true) {
      const steps: StepRecord[] = [];
      this.#steps = steps;
      this.step = (record) => void steps.push(record);
    } else {
      this.#steps = undefined;
      this.step = undefined;
    }
  }

  runStarted(info: RunInfo): void {
    if (this.#info !== undefined) throw new Error(`a RecordCollector serves one run; ${info.name} started after ${this.#info.name}`);
    this.#info = info;
  }

  request(record: RequestRecord): void {
    this.#requests.add(record);
  }

  migration(record: MigrationRecord): void {
    this.#migrations.push(record);
  }

  sample(record: InstanceSample): void {
    this.#samples.push(record);
  }

  runEnded(end: RunEnd): void {
    this.#end = end;
  }

  /** The run's records; requests by id (they left the fleet in finish order). */
  records(): RunRecords {
    if (this.#info === undefined || this.#end === undefined) {
      throw new Error('RecordCollector.records() before the run started and ended: emit runStarted and runEnded first');
    }
    // Stable: equal ids (never from one run) would keep their emission order.
    return { info: this.#info, requests: this.#requests.byId(), migrations: this.#migrations, samples: this.#samples, steps: this.#steps, end: this.#end };
  }
}

/** One observer that forwards every record to each of `observers`, in order. */
export function fanOut(observers: readonly RunObserver[]): RunObserver {
  const steppers = observers.filter((o) => o.step !== undefined);
  const out: RunObserver = {
    runStarted: (info) => observers.forEach((o) => o.runStarted?.(info)),
    request: (r) => observers.forEach((o) => o.request?.(r)),
    migration: (m) => observers.forEach((o) => o.migration?.(m)),
    sample: (s) => observers.forEach((o) => o.sample?.(s)),
    runEnded: (end) => observers.forEach((o) => o.runEnded?.(end)),
  };
  return steppers.length === 0 ? out : { ...out, step: (s) => steppers.forEach((o) => o.step?.(s)) };
}
