export { ConfigError as PolicyConfigErrorFor } from '../../config/index.ts';
export * from '../../policies/placement/index.ts';
