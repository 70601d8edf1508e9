export { VllmDatasetSchema, VLLM_DATASET_NAMES, type VllmDataset, type VllmDatasetInput } from './schema.ts';
export { type DatasetCounts, type DatasetRequest, sampleRowsWithoutReplacement } from './sample.ts';
export {
  PREFIX_BLOCK_TOKENS,
  sampleBurstGptDataset,
  sampleCustomDataset,
  sampleRandomDataset,
  sampleShareGptDataset,
  sampleSonnetDataset,
  sampleVllmDataset,
} from './vllm-datasets.ts';
