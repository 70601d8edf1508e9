// A StrykerJS test-runner plugin ("ava-shim") that runs ava test files in its own process
// through ava-shim.ts, loading them once and switching mutants at run time: StrykerJS
// instruments every mutant into the code and a runner only sets `__stryker__.activeMutant`.
// Starting ava per mutant cost 10–35 s on the shared dev machine; a run here is milliseconds.
// Static mutants (code run at import, e.g. zod schemas) need a fresh process: this runner
// reports `reloadEnvironment: false`, so StrykerJS restarts it and the test files are then
// imported with the mutant already active.
// Plain JavaScript: StrykerJS loads plugins before any TypeScript loader is registered; the
// worker processes get tsx from `testRunnerNodeArgs`.
import { register } from 'node:module';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { determineHitLimitReached, DryRunStatus, MutantRunStatus, TestStatus } from '@stryker-mutator/api/test-runner';

/** Test folders and files to run, from `avaShim.tests` in the StrykerJS config. */
function testFiles(targets) {
  return targets.flatMap((target) => {
    if (!statSync(target).isDirectory()) return [target];
    return readdirSync(target, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join(target, f));
  });
}

function namespace() {
  globalThis.__stryker__ ??= {};
  return globalThis.__stryker__;
}

class AvaShimTestRunner {
  static inject = [commonTokens.options];
  #targets;
  /** @type {{ id: string, title: string, file: string, fn: Function, skip: boolean }[] | undefined} */
  #tests;
  #shim;

  constructor(options) {
    this.#targets = options.avaShim?.tests ?? [];
    if (this.#targets.length === 0) throw new Error('set avaShim.tests (test folders or files) in the StrykerJS config');
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  async init() {
    register('./resolve-ava.mjs', import.meta.url);
  }

  /** Imports the test files once; a static mutant must be active before this. */
  async #load() {
    if (this.#tests !== undefined) return this.#tests;
    this.#shim = await import(new URL('./ava-shim.ts', import.meta.url).href);
    const tests = [];
    for (const file of testFiles(this.#targets)) {
      const before = this.#shim.registered.length;
      await import(pathToFileURL(path.resolve(file)).href);
      for (const t of this.#shim.registered.slice(before)) tests.push({ ...t, file, id: `${file} › ${t.title}` });
    }
    this.#tests = tests;
    return tests;
  }

  /** Runs tests in order; stops at the first failure when `bail`. */
  async #run(tests, bail) {
    const ns = namespace();
    const results = [];
    for (const hook of this.#shim.hooks.before) await hook(new this.#shim.ShimContext('before hook'));
    for (const test of tests) {
      const base = { id: test.id, name: test.id, fileName: test.file };
      if (test.skip) {
        results.push({ ...base, status: TestStatus.Skipped, timeSpentMs: 0 });
        continue;
      }
      ns.currentTestId = test.id;
      const started = performance.now();
      try {
        const t = new this.#shim.ShimContext(test.title);
        await test.fn(t);
        await t.finish();
        results.push({ ...base, status: TestStatus.Success, timeSpentMs: performance.now() - started });
      } catch (error) {
        const failureMessage = error instanceof Error ? error.message : String(error);
        results.push({ ...base, status: TestStatus.Failed, failureMessage, timeSpentMs: performance.now() - started });
        if (bail) break;
      } finally {
        ns.currentTestId = undefined;
      }
    }
    return results;
  }

  async dryRun(options) {
    const ns = namespace();
    ns.mutantCoverage = { static: {}, perTest: {} };
    ns.activeMutant = undefined;
    const tests = await this.#load();
    const results = await this.#run(tests, false);
    const failed = results.find((r) => r.status === TestStatus.Failed);
    if (failed !== undefined) return { status: DryRunStatus.Error, errorMessage: `${failed.id}: ${failed.failureMessage}` };
    return {
      status: DryRunStatus.Complete,
      tests: results,
      ...(options.coverageAnalysis === 'off' ? {} : { mutantCoverage: ns.mutantCoverage }),
    };
  }

  async mutantRun(options) {
    const ns = namespace();
    ns.hitLimit = options.hitLimit;
    ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    // Runtime mutants switch on after loading; static ones must be active while the code loads.
    if (options.mutantActivation === 'static') ns.activeMutant = options.activeMutant.id;
    const all = await this.#load();
    ns.activeMutant = options.activeMutant.id;
    const filter = options.testFilter === undefined ? undefined : new Set(options.testFilter);
    const tests = filter === undefined ? all : all.filter((t) => filter.has(t.id));
    let results;
    try {
      results = await this.#run(tests, !options.disableBail);
    } finally {
      ns.activeMutant = undefined;
    }
    const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit);
    if (timeout !== undefined) return { status: MutantRunStatus.Timeout, reason: timeout.reason };
    const failed = results.filter((r) => r.status === TestStatus.Failed);
    if (failed.length > 0) {
      return {
        status: MutantRunStatus.Killed,
        killedBy: failed.map((r) => r.id),
        failureMessage: failed[0].failureMessage,
        nrOfTests: results.length,
      };
    }
    return { status: MutantRunStatus.Survived, nrOfTests: results.length };
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'ava-shim', AvaShimTestRunner)];
