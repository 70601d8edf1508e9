// Reading an external server's load from its Prometheus text: vLLM's names (new and old), the
// model_name label, the info gauge with num_gpu_blocks, and clear errors for what is missing.
import test from 'ava';
import { reportFrom } from '../../backend/manager/external-instance.ts';
import { parsePrometheusText, sampleValue } from '../../backend/manager/prometheus-text.ts';

const VLLM = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="other"} 9.0
vllm:num_requests_running{engine="0",model_name="qwen"} 3.0
vllm:num_requests_waiting{engine="0",model_name="qwen"} 2.0
vllm:gpu_cache_usage_perc{model_name="qwen"} 0.25
vllm:cache_config_info{block_size="16",model_name="qwen",num_gpu_blocks="4000",note="a \\"quoted\\" value"} 1.0
vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="qwen"} 12 1700000000
`;

test('samples with labels, escaped quotes, +Inf and timestamps', (t) => {
  const samples = parsePrometheusText(VLLM);
  t.is(samples.length, 6);
  t.deepEqual(samples[4]?.labels, { block_size: '16', model_name: 'qwen', num_gpu_blocks: '4000', note: 'a "quoted" value' });
  t.is(samples[5]?.labels['le'], '+Inf');
  t.is(samples[5]?.value, 12);
  t.is(sampleValue(samples, ['vllm:num_requests_running'], { model_name: 'qwen' }), 3);
  t.is(sampleValue(samples, ['vllm:num_requests_running'], { model_name: 'nope' }), undefined);
  t.is(sampleValue(samples, ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'], { model_name: 'qwen' }), 0.25, 'the older name is the fallback');
});

test('a report from /metrics: free blocks from KV usage, the 1 % watermark, unknown queued demand as 0', (t) => {
  const r = reportFrom(parsePrometheusText(VLLM), 'qwen', 4000, 'x');
  t.like(r, { total_blocks: 4000, watermark_blocks: 40, free_blocks: 3000, running: 3, waiting: 2, head_waiting_blocks: 0, kv_cache_usage: 0.25, migrations_in_flight: 0 });
});

test('a scrape without the load gauges is an error naming what is missing', (t) => {
  t.throws(() => reportFrom(parsePrometheusText('vllm:num_requests_running{model_name="qwen"} 1\n'), 'qwen', 10, 'http://h/metrics'), {
    message: 'http://h/metrics has no vllm:num_requests_waiting, vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc for model_name="qwen"',
  });
});
