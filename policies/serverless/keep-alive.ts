/** An instance at the end of its keep-alive period, and its model's demand then. */
export interface KeepAliveCheck {
  readonly ready: boolean;
  readonly load: number;
  /** When it became ready; a later time means it served again since it went idle. */
  readonly ready_s: number | undefined;
  /** When it went idle (the keep-alive period started). */
  readonly idle_since_s: number;
  /** Instances the scaling rule wants for the model now. */
  readonly desired: number;
  /** Instances of the model (placed and pending). */
  readonly current: number;
}

/**
 * ServerlessLLM's keep-alive: an instance idle for the whole period is unloaded only if it is
 * still idle, was not re-readied meanwhile, and the model is over-provisioned.
 */
export function unloadAfterKeepAlive(c: KeepAliveCheck): boolean {
  if (!c.ready || c.load > 0 || (c.ready_s ?? 0) > c.idle_since_s) return false;
  return c.desired < c.current;
}
