/**
 * Puts `fleetlab serve`'s API on its address. The fleet is started first (it takes seconds), so
 * when the address cannot be had — the port is taken, the host is not this machine's — the fleet
 * is stopped here: otherwise its instance processes kept the command alive after the error, and
 * it hung until Ctrl-C. The error names the flag to change.
 */
import type { ApiServer } from '../backend/api/index.ts';

export async function listenOrStop(api: Pick<ApiServer, 'listen' | 'close'>, at: { host: string; port: number }, stopFleet: () => Promise<void>): Promise<string> {
  try {
    return await api.listen(at);
  } catch (error) {
    await api.close().catch(() => undefined);
    await stopFleet();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`--port ${at.port}: ${at.host}:${at.port} is already in use (another server listens there); give another --port, or --port 0 for any free one`, { cause: error });
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new Error(`--host ${at.host}: not an address of this machine (EADDRNOTAVAIL); give one of its addresses, 127.0.0.1, or 0.0.0.0 for all`, { cause: error });
    }
    throw error;
  }
}
