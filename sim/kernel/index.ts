export { Band, EventQueue, eventBefore, type QueuedEvent } from './event-queue.ts';
export { RngStreams, type Rng } from './rng.ts';
export { RecurringEvent, Simulation } from './simulation.ts';
