/** sim/serverless: on-demand models on a GPU cluster with multi-tier checkpoint loading (ServerlessLLM). */
export { desiredInstances, instanceCapacity } from '../../policies/serverless/index.ts';
export { LOADER_CALIBRATION } from './calibration.ts';
export { buildCatalogue, rooflinePerf, type CatalogueEntry } from './catalogue.ts';
export {
  AutoScalingConfig,
  ClusterSpec,
  MigrationSpec,
  ModelSpec,
  parseServerlessConfig,
  ServerlessConfig,
  type ServerlessConfigInput,
} from './config.ts';
export { ServerlessController, type Faults, type LoadRecord } from './controller.ts';
export { ServerlessInstance, type InstanceState } from './instance.ts';
export { LOADER_KINDS, loaderParams, LoaderSpec, loadSeconds, type LoaderKind, type LoaderParams } from './loader.ts';
export { LoadingQueue, type LoadTask } from './loading-queue.ts';
export { LruCache } from './lru-cache.ts';
export { SimNode } from './node.ts';
export { ServerlessRequest } from './request.ts';
export { runServerless, type ServerlessRequestInput, type ServerlessRunOptions, type ServerlessRunResult } from './run.ts';
export { summarizeServerless, type ServerlessSummary } from './summary.ts';
export { TokenMigration, type MigrationEvent, type MigrationPort } from './token-migration.ts';
export { formatMigrationEvent } from './migration-log.ts';
