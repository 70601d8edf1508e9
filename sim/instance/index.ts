export { SimInstance, type SimEngine } from './instance.ts';
export { byArrival, SimRequest, type KillRecord, type RequestPhase } from './request.ts';
