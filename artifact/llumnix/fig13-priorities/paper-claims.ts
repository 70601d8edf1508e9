/**
 * Fig. 13's claimed numbers (reference §8.8, `figure13_paper.claim`): for high-priority
 * requests, ranges "from min to max" over CVs of base / Llumnix (×); for normal requests, the
 * largest increase Llumnix / base − 1 (%).
 */
export const FIG13_PAPER: Readonly<Record<string, number>> = {
  'high.request_mean.min': 1.2,
  'high.request_mean.max': 1.5,
  'high.prefill_mean.min': 2.9,
  'high.prefill_mean.max': 8.6,
  'high.prefill_p99.min': 3.6,
  'high.prefill_p99.max': 10,
  'high.decode_mean.min': 1.2,
  'high.decode_mean.max': 1.5,
  'high.decode_p99.min': 1.3,
  'high.decode_p99.max': 2.2,
  'normal.request_mean.max_increase': 4.5,
  'normal.prefill_mean.max_increase': 13,
  'normal.decode_mean.max_increase': 2,
};
