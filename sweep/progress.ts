import cliProgress from 'cli-progress';

/** Counts finished points on an interactive terminal; silent under CI or when stderr is piped. */
export function pointsBar(label: string, total: number, enabled: boolean): { tick(id: string): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY || process.env.CI === 'true' || total === 0) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {value}/{total} points | {last}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { last: '' });
  return { tick: (id) => bar.increment(1, { last: id }), stop: () => bar.stop() };
}
