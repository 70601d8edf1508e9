/**
 * Model commands: `fleetlab model make-tiny` writes an HF-format folder with seeded random
 * weights and a byte-level BPE tokenizer; `fleetlab model inspect DIR` reads and checks a
 * model folder (config, tensors, tokenizer) without loading weights.
 */
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { nonNegative, positive } from './arg-parsers.ts';
import { loadTokenizer, makeTinyModel, readModelFolder, TINY_PRESET_NAMES } from '../backend/model/index.ts';

const oneOf = <T extends string>(allowed: readonly T[]) => (value: string): T => {
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, received "${value}"`);
  return value as T;
};

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('HF model folders: make tiny random models, inspect a folder');
  model
    .command('make-tiny')
    .description('write an HF-format folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json) with seeded random weights')
    .requiredOption('-o, --out <dir>', 'folder to write')
    .option('--preset <name>', `starting shape: ${TINY_PRESET_NAMES.join(', ')}`, oneOf(TINY_PRESET_NAMES), 'tiny')
    .option('--arch <arch>', 'llama | qwen2 (default: the preset\'s)', oneOf(['llama', 'qwen2'] as const))
    .option('--layers <n>', 'decoder layers', positive)
    .option('--hidden <n>', 'hidden size', positive)
    .option('--heads <n>', 'attention heads', positive)
    .option('--kv-heads <n>', 'KV heads (GQA)', positive)
    .option('--intermediate <n>', 'MLP intermediate size', positive)
    .option('--vocab <n>', 'config vocab_size (the tokenizer learns up to this many tokens)', positive)
    .option('--dtype <dtype>', 'f32 | bf16 (default: the preset\'s)', oneOf(['f32', 'bf16'] as const))
    .option('--seed <n>', 'seed of the weights', nonNegative, 0)
    .option('--overwrite', 'replace an existing folder', false)
    .action(async (opts) => {
      const made = await makeTinyModel({
        out: opts.out, preset: opts.preset, seed: opts.seed, overwrite: opts.overwrite,
        ...(opts.arch !== undefined ? { arch: opts.arch } : {}),
        ...(opts.layers !== undefined ? { layers: opts.layers } : {}),
        ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
        ...(opts.heads !== undefined ? { heads: opts.heads } : {}),
        ...(opts.kvHeads !== undefined ? { kv_heads: opts.kvHeads } : {}),
        ...(opts.intermediate !== undefined ? { intermediate: opts.intermediate } : {}),
        ...(opts.vocab !== undefined ? { vocab: opts.vocab } : {}),
        ...(opts.dtype !== undefined ? { dtype: opts.dtype } : {}),
      });
      const s = made.spec;
      console.log(`wrote ${made.dir}/: ${s.arch}, ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads / ${s.kv_heads} KV heads, intermediate ${s.intermediate}, vocab ${s.vocab}, ${s.dtype}, ${(made.weight_bytes / 1e6).toFixed(2)} MB of weights, seed ${opts.seed}`);
    });
  model
    .command('inspect')
    .description('read and check a model folder (config, tensor names/shapes/dtypes, tokenizer) without loading weights')
    .argument('<dir>', 'HF model folder')
    .action(async (dir) => {
      const folder = await readModelFolder(dir);
      const tok = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
      const a = folder.arch;
      const bytes = folder.tensors.used.reduce((n, t) => n + t.end - t.begin, 0);
      console.log(`${folder.dir}: ${a.arch}, ${a.num_hidden_layers} layers, hidden ${a.hidden_size}, heads ${a.num_attention_heads}/${a.num_key_value_heads} (head_dim ${a.head_dim}), intermediate ${a.intermediate_size}, vocab ${a.vocab_size}, rope ${a.rope_scaling.kind} θ=${a.rope_theta}, tied ${a.tie_word_embeddings}`);
      console.log(`weights: ${folder.tensors.used.length} tensors, ${folder.tensors.used[0]?.dtype}, ${(bytes / 1e6).toFixed(1)} MB in ${folder.files.length} file(s)${folder.tensors.ignored.length ? `; ignored: ${folder.tensors.ignored.join(', ')}` : ''}`);
      console.log(`tokenizer: ${tok.vocab_size} tokens, eos ${JSON.stringify(tok.eos_token_ids)}, bos ${String(tok.bos_token_id)}, chat template ${tok.has_chat_template ? 'yes' : 'no'}`);
      console.log(`generation defaults: ${JSON.stringify(folder.generation)}`);
    });
}
