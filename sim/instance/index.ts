export { SimInstance, SimReport, type SimEngine } from './instance.ts';
export { byArrival, requestRecord, SimRequest, type KillRecord, type RequestPhase } from './request.ts';
