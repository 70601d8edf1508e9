/**
 * One verdict rule for every claim of every reproduced paper (Llumnix and ServerlessLLM).
 *
 * A claim compares our number with the paper's number for the same quantity:
 * - `calibrated`: the claim is of class `calibration` — a model input was fitted to the paper's
 *   number (or to the data behind it), so agreement is by construction and proves nothing. It
 *   never "holds", whatever the ratio.
 * - `holds`: evidence, same direction as the paper, and ours / paper within
 *   [1 / HOLDS_FACTOR, HOLDS_FACTOR] (a simulator is not the testbed: within a factor of 2).
 * - `partly`: evidence, same direction, but a size outside that band — or the paper states only
 *   a direction and no number to compare the size with.
 * - `does not hold`: the direction differs, or we have no number.
 * - `not claimed`: the paper makes no claim about this quantity (our extra numbers).
 *
 * The direction of a value is its side of the unit's neutral point: 1 for ratios (×: better or
 * worse than the baseline), 0 for everything else (a reduction or an increase in %, a time).
 */
export type ClaimClass = 'evidence' | 'calibration';
export type Verdict = 'holds' | 'partly' | 'does not hold' | 'calibrated' | 'not claimed';
export type ClaimUnit = 'x' | '%' | 's' | 'ms' | 'steps';

/** ours / paper must lie in [1 / HOLDS_FACTOR, HOLDS_FACTOR] for "holds". */
export const HOLDS_FACTOR = 2;

/** What the paper says about a quantity: a number, or only a direction ("faster", "first"). */
export type PaperValue = { readonly value: number } | { readonly direction: 'up' | 'down' } | undefined;

export interface Judgement {
  readonly verdict: Verdict;
  /** ours / paper, when both are numbers and the paper's is not zero. */
  readonly ratio: number | undefined;
  /** Why a claim does not (fully) hold; undefined when it holds or is not claimed. */
  readonly why: string | undefined;
}

const neutral = (unit: ClaimUnit): number => (unit === 'x' ? 1 : 0);

function side(value: number, unit: ClaimUnit): 'up' | 'down' | 'flat' {
  const n = neutral(unit);
  return value > n ? 'up' : value < n ? 'down' : 'flat';
}

/** The rule above, applied to one claim. */
export function judge(claim: { readonly ours: number | undefined; readonly paper: PaperValue; readonly unit: ClaimUnit; readonly class: ClaimClass }): Judgement {
  const { ours, paper, unit } = claim;
  if (paper === undefined) return { verdict: 'not claimed', ratio: undefined, why: undefined };
  const paperSide = 'value' in paper ? side(paper.value, unit) : paper.direction;
  const ratio = 'value' in paper && ours !== undefined && Number.isFinite(ours) && paper.value !== 0 ? ours / paper.value : undefined;
  if (claim.class === 'calibration') {
    return { verdict: 'calibrated', ratio, why: 'a model input was fitted to this number (or its data): agreement is by construction, not evidence' };
  }
  if (ours === undefined || !Number.isFinite(ours)) return { verdict: 'does not hold', ratio, why: 'no measured value (no points, or a zero baseline)' };
  const ourSide = side(ours, unit);
  if (ourSide !== paperSide) {
    const n = neutral(unit);
    return { verdict: 'does not hold', ratio, why: `opposite direction: ours is ${ourSide === 'flat' ? 'at' : ourSide === 'up' ? 'above' : 'below'} ${n}, the paper's ${paperSide === 'up' ? 'above' : 'below'}` };
  }
  if (ratio === undefined) return { verdict: 'partly', ratio, why: 'same direction; the paper gives no number to compare the size with' };
  if (ratio >= 1 / HOLDS_FACTOR && ratio <= HOLDS_FACTOR) return { verdict: 'holds', ratio, why: undefined };
  return { verdict: 'partly', ratio, why: `same direction, but ours is ${ratio.toFixed(2)}× the paper's (outside ${(1 / HOLDS_FACTOR).toFixed(1)}–${HOLDS_FACTOR}×)` };
}

/** One judged claim, as written to claims.json (numbers or null, never undefined). */
export interface ClaimRecord {
  readonly id: string;
  readonly figure: string;
  /** What the number is, in our words. */
  readonly metric: string;
  readonly unit: ClaimUnit;
  readonly ours: number | null;
  /** The paper's number, or null when it states only a direction (see `paper_direction`). */
  readonly paper: number | null;
  readonly paper_direction: 'up' | 'down' | null;
  readonly ratio: number | null;
  readonly verdict: Verdict;
  readonly class: ClaimClass;
  readonly why: string | null;
  /** The points (x values, traces, lengths) the number was computed from. */
  readonly points: readonly string[];
}

export interface ClaimInput {
  readonly id: string;
  readonly figure: string;
  readonly metric: string;
  readonly unit: ClaimUnit;
  readonly ours: number | undefined;
  readonly paper: PaperValue;
  readonly class: ClaimClass;
  readonly points: readonly string[];
  /** Extra context for "why" (e.g. how a calibration was fitted), appended to the rule's reason. */
  readonly note?: string | undefined;
}

export function toRecord(c: ClaimInput): ClaimRecord {
  const j = judge(c);
  const why = j.why === undefined ? (c.note ?? null) : c.note === undefined ? j.why : `${j.why}; ${c.note}`;
  return {
    id: c.id,
    figure: c.figure,
    metric: c.metric,
    unit: c.unit,
    ours: c.ours === undefined || !Number.isFinite(c.ours) ? null : c.ours,
    paper: c.paper !== undefined && 'value' in c.paper ? c.paper.value : null,
    paper_direction: c.paper !== undefined && 'direction' in c.paper ? c.paper.direction : null,
    ratio: j.ratio ?? null,
    verdict: j.verdict,
    class: c.class,
    why,
    points: [...c.points],
  };
}

/** The file `claims.json`: every claim of one reproduction run, with the rule that judged them. */
export interface ClaimsFile {
  readonly paper: string;
  readonly mode: string;
  readonly rule: string;
  readonly claims: readonly ClaimRecord[];
}

export const RULE_TEXT = `holds: evidence, same direction as the paper and ours / paper within [${1 / HOLDS_FACTOR}, ${HOLDS_FACTOR}]; partly: same direction only (or the paper gives no number); does not hold: opposite direction or no value; calibrated: a model input was fitted to the paper's number, never "holds"; not claimed: the paper makes no claim about it.`;
