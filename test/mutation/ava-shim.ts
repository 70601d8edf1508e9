/**
 * A one-process stand-in for ava's `test` and assertion object, used only by the mutation run
 * (`npm run test:mutation`). Starting ava costs 10–35 s on the shared 2-core dev machine (one
 * process per test file, each loading tsx); StrykerJS runs the suite once per mutant, so it
 * runs the same test files here in one process (~3 s). `npm test` always runs them under ava.
 *
 * Semantics follow ava's documentation for the subset the suite uses; an assertion that fails
 * throws (the harness stops at the first failure: for a mutant, one failure is a kill). A
 * method the shim lacks throws rather than passing, so a gap can never hide a surviving mutant.
 */
import assert from 'node:assert/strict';

type Implementation = (t: ShimContext) => unknown;
interface Registered {
  readonly title: string;
  readonly fn: Implementation;
  readonly skip: boolean;
}

/** Every test registered by the imported files, in registration order. */
export const registered: Registered[] = [];
export const hooks = { before: [] as Implementation[], after: [] as Implementation[] };

interface ThrowsExpectation {
  readonly message?: string | RegExp | ((message: string) => boolean);
  readonly instanceOf?: abstract new (...args: never[]) => unknown;
  readonly name?: string;
  readonly code?: string | number;
  readonly is?: unknown;
  readonly any?: boolean;
}

function checkThrown(error: unknown, expected: ThrowsExpectation | undefined, title: string): void {
  if (expected === undefined) return;
  if (expected.any !== true && !(error instanceof Error)) assert.fail(`${title}: threw a non-error ${String(error)}`);
  const e = error as { message?: unknown; name?: unknown; code?: unknown };
  if (expected.is !== undefined) assert.equal(error, expected.is);
  if (expected.instanceOf !== undefined) assert.ok(error instanceof expected.instanceOf, `${title}: wrong error class`);
  if (expected.name !== undefined) assert.equal(e.name, expected.name);
  if (expected.code !== undefined) assert.equal(e.code, expected.code);
  const m = expected.message;
  const message = String(e.message);
  if (typeof m === 'string') assert.equal(message, m);
  else if (m instanceof RegExp) assert.match(message, m);
  else if (typeof m === 'function') assert.ok(m(message), `${title}: message predicate failed on ${message}`);
}

/** ava's `t.like`: plain objects in the selector are matched key by key, all else deep-equal. */
function like(actual: unknown, selector: unknown, path: string): void {
  const plain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  if (!plain(selector)) return assert.deepStrictEqual(actual, selector, path);
  assert.ok(typeof actual === 'object' && actual !== null, `${path} is not an object`);
  for (const [key, value] of Object.entries(selector)) like((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

export class ShimContext {
  #planned: number | undefined;
  #count = 0;
  readonly #teardowns: (() => unknown)[] = [];
  constructor(readonly title: string) {}

  #tick(): void {
    this.#count++;
  }
  plan(n: number): void {
    this.#planned = n;
  }
  teardown(fn: () => unknown): void {
    this.#teardowns.push(fn);
  }
  timeout(): void {}
  log(): void {}
  pass(): void {
    this.#tick();
  }
  fail(message?: string): never {
    assert.fail(message ?? `${this.title}: t.fail()`);
  }
  is(actual: unknown, expected: unknown, message?: string): void {
    this.#tick();
    assert.ok(Object.is(actual, expected), message ?? `${this.title}: ${String(actual)} is not ${String(expected)}`);
  }
  not(actual: unknown, expected: unknown, message?: string): void {
    this.#tick();
    assert.ok(!Object.is(actual, expected), message ?? `${this.title}: both are ${String(actual)}`);
  }
  deepEqual(actual: unknown, expected: unknown, message?: string): void {
    this.#tick();
    assert.deepStrictEqual(actual, expected, message);
  }
  notDeepEqual(actual: unknown, expected: unknown, message?: string): void {
    this.#tick();
    assert.notDeepStrictEqual(actual, expected, message);
  }
  like(actual: unknown, selector: unknown, message?: string): void {
    this.#tick();
    like(actual, selector, message ?? this.title);
  }
  true(actual: unknown, message?: string): void {
    this.#tick();
    assert.equal(actual, true, message);
  }
  false(actual: unknown, message?: string): void {
    this.#tick();
    assert.equal(actual, false, message);
  }
  truthy(actual: unknown, message?: string): void {
    this.#tick();
    assert.ok(actual, message);
  }
  falsy(actual: unknown, message?: string): void {
    this.#tick();
    assert.ok(!actual, message);
  }
  assert(actual: unknown, message?: string): void {
    this.truthy(actual, message);
  }
  regex(actual: string, re: RegExp, message?: string): void {
    this.#tick();
    assert.match(actual, re, message);
  }
  notRegex(actual: string, re: RegExp, message?: string): void {
    this.#tick();
    assert.doesNotMatch(actual, re, message);
  }
  throws(fn: () => unknown, expected?: ThrowsExpectation, message?: string): unknown {
    this.#tick();
    try {
      fn();
    } catch (error) {
      checkThrown(error, expected, message ?? this.title);
      return error;
    }
    return assert.fail(message ?? `${this.title}: expected a throw`);
  }
  async throwsAsync(thrower: Promise<unknown> | (() => Promise<unknown>), expected?: ThrowsExpectation, message?: string): Promise<unknown> {
    this.#tick();
    try {
      await (typeof thrower === 'function' ? thrower() : thrower);
    } catch (error) {
      checkThrown(error, expected, message ?? this.title);
      return error;
    }
    return assert.fail(message ?? `${this.title}: expected a rejection`);
  }
  notThrows(fn: () => unknown): void {
    this.#tick();
    fn();
  }
  async notThrowsAsync(thrower: Promise<unknown> | (() => Promise<unknown>)): Promise<void> {
    this.#tick();
    await (typeof thrower === 'function' ? thrower() : thrower);
  }

  /** Runs the teardowns and checks the plan, as ava does when a test ends. */
  async finish(): Promise<void> {
    for (const fn of this.#teardowns.reverse()) await fn();
    if (this.#planned !== undefined) assert.equal(this.#count, this.#planned, `${this.title}: planned ${this.#planned} assertions`);
  }
}

function register(title: string, fn: Implementation): void {
  registered.push({ title, fn, skip: false });
}

const test = Object.assign(register, {
  serial: register,
  skip: (title: string, fn: Implementation) => registered.push({ title, fn, skip: true }),
  before: (fn: Implementation) => hooks.before.push(fn),
  after: (fn: Implementation) => hooks.after.push(fn),
  todo: () => {},
  only: () => {
    throw new Error('test.only is not supported by the mutation harness (it would hide every other test)');
  },
  failing: () => {
    throw new Error('test.failing is not supported by the mutation harness');
  },
});

export default test;
