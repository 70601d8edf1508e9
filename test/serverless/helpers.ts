export { PolicyConfigError as PolicyConfigErrorFor } from '../../policies/errors.ts';
export * from '../../policies/placement/index.ts';
