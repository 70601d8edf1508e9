/**
 * The numbers the paper claims for Fig. 11 (reference §8.8, `figure11_paper.claim`), by claim
 * id. Data only: "up to" ratios (×), average reductions (% and s).
 */
export const FIG11_PAPER: Readonly<Record<string, number>> = {
  'real.rr.request_mean.up_to': 2,
  'real.rr.request_p99.up_to': 2.9,
  'real.rr.prefill_mean.up_to': 26.6,
  'real.rr.prefill_p99.up_to': 34.4,
  'real.rr.decode_p99.up_to': 2,
  'real.rr.preemption_loss.mean_reduction': 84,
  'real.infaas.prefill_mean.up_to': 2.2,
  'real.infaas.prefill_p99.up_to': 5.5,
  'real.infaas.decode_p99.up_to': 1.3,
  'generated.infaas.request_mean.up_to': 1.5,
  'generated.infaas.request_p99.up_to': 1.6,
  'generated.infaas.prefill_mean.up_to': 7.7,
  'generated.infaas.prefill_p99.up_to': 14.8,
  'generated.infaas.decode_p99.up_to': 2,
  'generated.infaas.preemption_loss.mean_reduction': 70.4,
  // The paper states this one as the end-to-end latency it saves, in seconds.
  'generated.infaas.preemption_loss.mean_abs_reduction': 1.3,
};
