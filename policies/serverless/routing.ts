/** What the router knows of one instance of the requested model. */
export interface RouteCandidate {
  readonly id: number;
  /** Serving and taking new requests (not loading, not a migration source). */
  readonly ready: boolean;
  /** Requests on it (running and queued). */
  readonly load: number;
}

/**
 * ServerlessLLM's router: the ready instance with room (load < capacity) and the fewest
 * requests, ties to the lowest id; undefined when none has room (the request queues).
 */
export function leastLoadedInstance(candidates: Iterable<RouteCandidate>, capacity: number): number | undefined {
  let best: RouteCandidate | undefined;
  for (const c of candidates) {
    if (!c.ready || c.load >= capacity) continue;
    if (best === undefined || c.load < best.load || (c.load === best.load && c.id < best.id)) best = c;
  }
  return best?.id;
}
