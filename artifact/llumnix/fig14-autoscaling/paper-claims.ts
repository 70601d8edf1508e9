/** Fig. 14's claimed numbers (reference §8.8, `figure14_paper.claim`): "up to" ratios (×) and cost savings (%). */
export const FIG14_PAPER: Readonly<Record<string, number>> = {
  'poisson.prefill_p99.up_to': 12.2,
  'poisson.cost_saving': 16,
  'gamma.prefill_p99.up_to': 11,
  'gamma.cost_saving': 18,
};
