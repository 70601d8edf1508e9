export { SimCluster, type Rejection, type SimClusterOptions } from './sim-cluster.ts';
export { TimeWeighted } from './time-weighted.ts';
