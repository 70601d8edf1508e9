export { fleetDispatchFreeness, fleetFreenessWithout } from './aggregate.ts';
export { loadScaling } from './load-scaling.ts';
export { createScalingPolicy, ScalingSpec, type ScalingSpecInput } from './spec.ts';
