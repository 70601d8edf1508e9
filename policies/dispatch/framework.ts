/**
 * Dispatch as the Kubernetes scheduler does it: filters decide which instances *can* take the
 * request, then one scorer ranks the survivors. Ties are never left to sort stability: the
 * framework breaks them by fewest requests dispatched so far, then lowest instance id.
 */
import { PolicyInputError } from '../errors.ts';
import type { DispatchPolicy } from '../types.ts';
import { accept, reject } from '../view.ts';
import type { ArrivingRequest, ClusterView, InstanceId, InstanceReport, Verdict } from '../view.ts';

/** One instance as dispatch sees it: its latest report and its dispatched count. */
export interface Candidate {
  readonly report: InstanceReport;
  readonly dispatched: number;
}

/** A feasibility check; returns a reason when the instance cannot take the request. */
export interface DispatchFilter {
  readonly name: string;
  reject(request: ArrivingRequest, candidate: Candidate): string | undefined;
}

/**
 * Scores every feasible candidate (same order, higher = better). ±Infinity is allowed
 * (an idle instance is infinitely free); NaN is a bug and throws naming the policy.
 */
export type DispatchScorer = (
  request: ArrivingRequest,
  candidates: readonly Candidate[],
  view: ClusterView,
) => readonly number[];

/** Only serving instances take requests: `starting` ones are loading, `terminating` draining. */
export const activeOnly: DispatchFilter = {
  name: 'active-only',
  reject: (_request, { report }) =>
    report.state === 'active' ? undefined : `instance ${report.id} is ${report.state}`,
};

export function candidatesOf(view: ClusterView): Candidate[] {
  return view.instances.map((report, i) => ({ report, dispatched: view.dispatched[i] ?? 0 }));
}

/**
 * How equal scores are broken: fewest dispatched so far, then lowest id (the default, which
 * spreads a burst over idle instances), or lowest id only (Vidur's `lor`: Python's `min` over
 * replicas in id order).
 */
export type TieBreak = 'fewest-dispatched' | 'lowest-id';

/** Builds a `DispatchPolicy` from filters and a scorer. */
export function makeDispatchPolicy(
  name: string,
  filters: readonly DispatchFilter[],
  score: DispatchScorer,
  ties: TieBreak = 'fewest-dispatched',
): DispatchPolicy {
  const before = ties === 'lowest-id' ? lowerId : fewerDispatched;
  return {
    name,
    choose(request: ArrivingRequest, view: ClusterView): Verdict<InstanceId> {
      if (view.instances.length === 0) return reject(name, 'the cluster has no instances');
      const reasons: string[] = [];
      const feasible = candidatesOf(view).filter((candidate) => {
        for (const filter of filters) {
          const reason = filter.reject(request, candidate);
          if (reason !== undefined) {
            reasons.push(`${filter.name}: ${reason}`);
            return false;
          }
        }
        return true;
      });
      if (feasible.length === 0) return reject(name, 'no feasible instance', ...reasons);
      const scores = score(request, feasible, view);
      return accept(name, best(name, feasible, scores, before).report.id);
    },
  };
}

/** Highest score; ties broken by `before` (documented, not sort-stability). */
function best(policy: string, candidates: readonly Candidate[], scores: readonly number[], before: (a: Candidate, b: Candidate) => boolean): Candidate {
  let winner: Candidate | undefined;
  let winnerScore = Number.NEGATIVE_INFINITY;
  candidates.forEach((candidate, i) => {
    const s = scores[i];
    if (s === undefined || Number.isNaN(s)) {
      throw new PolicyInputError(policy, 'dispatch score', candidate.report.id, s ?? Number.NaN);
    }
    if (winner === undefined || s > winnerScore || (s === winnerScore && before(candidate, winner))) {
      winner = candidate;
      winnerScore = s;
    }
  });
  // candidates is non-empty (checked by the caller), so a winner exists.
  return winner as Candidate;
}

function fewerDispatched(a: Candidate, b: Candidate): boolean {
  if (a.dispatched !== b.dispatched) return a.dispatched < b.dispatched;
  return a.report.id < b.report.id;
}

function lowerId(a: Candidate, b: Candidate): boolean {
  return a.report.id < b.report.id;
}
