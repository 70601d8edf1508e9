export { ConfigError } from '../../config/index.ts';
export * from '../../policies/placement/index.ts';
