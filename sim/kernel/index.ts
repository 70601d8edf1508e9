export { Band, EventQueue, eventBefore, type QueuedEvent } from './event-queue.ts';
export { RngStreams, type Rng } from './rng.ts';
export { Simulation } from './simulation.ts';
