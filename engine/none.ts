/**
 * The one empty list that plans and step outcomes share wherever a field is empty (most steps
 * admit, preempt and finish nothing): a step then allocates no empty arrays. Not frozen on
 * purpose: a frozen array has its own elements kind, and the hot `for … of` loops over plan
 * fields would then see two kinds and fall back to allocating iterator results. The types
 * make it read-only; test/engine/none.test.ts checks that a run leaves it empty.
 */
export const NONE: readonly never[] = [];
