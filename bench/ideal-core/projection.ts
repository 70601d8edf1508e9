/**
 * What the real simulator's cost ratio (a large point against the first) would be if its cost
 * per event grew by the ideal core's growth instead of its own: per event, and per request —
 * the 1.5× target's measure (bench:scale) — which also carries how many more events a request
 * takes at the large point (95 against 84 at 1M × 4,096 against 16 instances: larger fleets
 * run smaller batches, so the same request takes more steps).
 */
export interface ProjectedRatio {
  readonly perEvent: number;
  readonly perRequest: number;
}

/**
 * `realPerEvent`: the simulator's ns per event at the first point; `growth`: ns per event the
 * large point costs beyond the first; `eventsRatio`: events per request at the large point
 * over the first point's.
 */
export function projectedRatio(realPerEvent: number, growth: number, eventsRatio: number): ProjectedRatio {
  const perEvent = (realPerEvent + growth) / realPerEvent;
  return { perEvent, perRequest: perEvent * eventsRatio };
}
