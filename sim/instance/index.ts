export { Engine, type EngineLimits, type StepPlan } from './engine.ts';
export { SimInstance } from './instance.ts';
export { byArrival, SimRequest, type KillRecord, type RequestPhase } from './request.ts';
