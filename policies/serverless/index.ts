/**
 * ServerlessLLM's per-model policies, pure: routing (least loaded), auto-scaling (instances
 * from in-flight requests) and keep-alive (when an idle instance is unloaded). The serverless
 * controller only applies their answers.
 */
export { desiredInstances, instanceCapacity, type ServerlessScalingRule } from './scaling.ts';
export { leastLoadedInstance, type RouteCandidate } from './routing.ts';
export { unloadAfterKeepAlive, type KeepAliveCheck } from './keep-alive.ts';
