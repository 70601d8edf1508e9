/** Wall and CPU seconds of one call in this process (CPU: user + system, the collector's threads included). */
export interface Timed<T> {
  readonly value: T;
  readonly seconds: number;
  readonly cpu_s: number;
}

export function timed<T>(run: () => T): Timed<T> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1e3, cpu_s: (used.user + used.system) / 1e6 };
}
