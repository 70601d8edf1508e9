/**
 * What `fleetlab serve` (both kinds) does on Ctrl-C or SIGTERM: stop taking requests, stop
 * the fleet (every instance process it started), then exit. Each handler runs once, so a
 * second signal takes the default action and ends the process at once (a stop that hangs can
 * still be interrupted).
 */
export function stopOnSignals(api: { close(): Promise<void> }, fleet: { stop(): Promise<void> }): void {
  const stop = async (): Promise<void> => {
    await api.close();
    await fleet.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
