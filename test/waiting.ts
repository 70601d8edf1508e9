// Waiting for an event rather than for a time (docs/testing.md, "Waiting for events, not
// times"), shared by the tests of every folder.

/** Resolves once `cond()` holds, polling every 10 ms; throws, naming `what`, after `limit_ms`. */
export async function until(what: string, cond: () => boolean, limit_ms = 60_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > limit_ms) throw new Error(`gave up waiting (${limit_ms} ms) for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether process `pid` is running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
