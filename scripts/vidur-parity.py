#!/usr/bin/env python3
"""Runs Vidur and fleetlab on the same trace with the same configuration and compares their
distributions: TTFT, TPOT, E2E latency per request; sequences per step (all steps, decode
steps), and prompt tokens per prefill step. Both engines run vLLM v0 steps, which are
prefill-only or decode-only; all steps' tokens together are bimodal, and a quantile that falls
between the modes says little, hence the split.

The configuration is Vidur's Llama-2-70B TP2 replay on its shipped A100 profiles
(examples/vidur-llama2-70b-tp2.yaml): 8 replicas, vLLM (v0) replica scheduler with Vidur's
defaults, `lor` global scheduler (fleetlab: least-outstanding), trace replay with total tokens
cut to 4,096 at the prompt, seed 42. docs/vidur-parity.md records a run and what it found.

Vidur is not a dependency of fleetlab: give a Vidur checkout (--vidur-dir) and a Python that
imports it (--python), or results Vidur already wrote (--vidur-out). Only the standard library
is used here, so the comparison itself runs anywhere.

  scripts/vidur-parity.py --vidur-dir /tmp/vidur --python /usr/bin/python3 --trace conv
  scripts/vidur-parity.py --vidur-out <vidur output dir> --fleetlab-out <fleetlab results dir>

With Vidur's cache folder (--vidur-cache; by default <vidur-dir>/cache when Vidur runs here) a
third column runs fleetlab on Vidur's own step-time tables, which takes the step model out of
the comparison: what differs then is scheduling, dispatch, memory and trace handling.

Exit status: 0 when every compared statistic is within --tolerance (relative), 1 otherwise,
2 on a setup error.
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / 'examples' / 'vidur-llama2-70b-tp2.yaml'

# The shipped traces and Vidur's paths for the same bytes (traces/data/README.md).
TRACES = {
    'conv': ('builtin:vidur-splitwise-conv', 'data/processed_traces/splitwise_conv.csv', 19366),
    'code': ('builtin:vidur-splitwise-code', 'data/processed_traces/splitwise_code.csv', 8819),
}

# Vidur keeps one random forest per operator, fitted with GridSearchCV; `full` is its default
# grid (27 candidates × 10 folds, ~16–18 min on 2 cores), `reduced` a single candidate (the
# deepest trees of that grid) fitted with 2 folds, a couple of minutes.
GRIDS = {
    'full': [],
    'reduced': ['num_estimators', '250', 'max_depth', '32', 'min_samples_split', '2', 'k_fold_cv_splits', '2'],
}

# Integer-valued distributions (see the tolerance rule in main).
COUNTS = ('batch_size', 'decode_batch_size', 'prefill_batch_tokens')

QUANTILES = (('mean', None), ('p50', 0.5), ('p90', 0.9), ('p99', 0.99))


def fail(message: str) -> None:
    print(f'vidur-parity: {message}', file=sys.stderr)
    sys.exit(2)


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (NumPy's default), as both tools report."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        fail('a distribution to compare is empty')
    s = sorted(values)
    out = {}
    for name, q in QUANTILES:
        out[name] = sum(s) / len(s) if q is None else quantile(s, q)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        fail(f'{path} does not exist')
    with path.open(newline='') as f:
        return list(csv.DictReader(f))


def tpot(e2e: float, ttft: float, output_tokens: int) -> float | None:
    """vLLM's TPOT: time after the first token over the tokens after it; none for one token."""
    return (e2e - ttft) / (output_tokens - 1) if output_tokens > 1 else None


def vidur_distributions(out_dir: Path) -> dict[str, list[float]]:
    """Vidur's request_metrics.csv (seconds; the first output token comes with the prefill,
    request_num_decode_tokens counts it) and batch_metrics.csv (keep_individual_batch_metrics)."""
    requests = read_csv(out_dir / 'request_metrics.csv')
    ttft, tpots, e2e = [], [], []
    for row in requests:
        t, e, n = float(row['prefill_e2e_time']), float(row['request_e2e_time']), int(float(row['request_num_decode_tokens']))
        ttft.append(t)
        e2e.append(e)
        value = tpot(e, t, n)
        if value is not None:
            tpots.append(value)
    batches = read_csv(out_dir / 'batch_metrics.csv')
    return {
        'ttft_s': ttft,
        'tpot_s': tpots,
        'e2e_s': e2e,
        'batch_size': [float(b['batch_size']) for b in batches],
        'decode_batch_size': [float(b['batch_size']) for b in batches if float(b['batch_num_prefill_tokens']) == 0],
        'prefill_batch_tokens': [float(b['batch_num_prefill_tokens']) for b in batches if float(b['batch_num_prefill_tokens']) > 0],
    }


def fleetlab_distributions(out_dir: Path) -> dict[str, list[float]]:
    """fleetlab's requests.csv and steps.csv (run with --steps)."""
    requests = [r for r in read_csv(out_dir / 'requests.csv') if r['rejected_reason'] == '']
    ttft, tpots, e2e = [], [], []
    for row in requests:
        t, e, n = float(row['prefill_latency_s']), float(row['request_latency_s']), int(row['output_tokens'])
        ttft.append(t)
        e2e.append(e)
        value = tpot(e, t, n)
        if value is not None:
            tpots.append(value)
    steps = read_csv(out_dir / 'steps.csv')
    return {
        'ttft_s': ttft,
        'tpot_s': tpots,
        'e2e_s': e2e,
        'batch_size': [float(s['prefill_seqs']) + float(s['decode_seqs']) for s in steps],
        'decode_batch_size': [float(s['decode_seqs']) for s in steps if int(s['prefill_seqs']) == 0],
        'prefill_batch_tokens': [float(s['prefill_tokens']) for s in steps if int(s['prefill_seqs']) > 0],
    }


def run_vidur(args: argparse.Namespace, vidur_path: str) -> Path:
    vidur_dir = Path(args.vidur_dir).resolve()
    if not (vidur_dir / 'vidur' / 'main.py').is_file():
        fail(f'--vidur-dir {vidur_dir}: expected a Vidur checkout (vidur/main.py)')
    out_root = Path(args.out).resolve() / 'vidur'
    rf = '--random_forrest_execution_time_predictor_config_'
    grid = GRIDS[args.vidur_grid]
    command = [
        args.python, '-m', 'vidur.main', '--seed', str(args.seed),
        '--replica_config_model_name', 'meta-llama/Llama-2-70b-hf', '--replica_config_device', 'a100',
        '--replica_config_network_device', 'a100_pairwise_nvlink', '--replica_config_tensor_parallel_size', '2',
        '--cluster_config_num_replicas', '8', '--global_scheduler_config_type', 'lor',
        '--replica_scheduler_config_type', 'vllm',
        '--request_generator_config_type', 'trace_replay',
        '--trace_request_generator_config_trace_file', vidur_path,
        '--trace_request_generator_config_max_tokens', '4096',
        '--execution_time_predictor_config_type', 'random_forrest',
        f'{rf}num_training_job_threads', str(args.threads),
        *[f'{rf}{v}' if i % 2 == 0 else v for i, v in enumerate(grid)],
        '--metrics_config_keep_individual_batch_metrics', '--no-metrics_config_store_plots',
        '--no-metrics_config_enable_chrome_trace', '--metrics_config_output_dir', str(out_root),
    ]
    print('$ (cd', vidur_dir, '&&', ' '.join(command) + ')', file=sys.stderr)
    subprocess.run(command, cwd=vidur_dir, check=True, stdout=sys.stderr)
    # Vidur writes into a timestamped folder under the output dir: take the newest.
    runs = sorted(glob.glob(str(out_root / '*' / 'request_metrics.csv')), key=os.path.getmtime)
    if not runs:
        fail(f'Vidur wrote no request_metrics.csv under {out_root}')
    return Path(runs[-1]).parent


# Vidur's token-level operators, in the order of its mlp.csv columns (fleetlab's sim/perf/vidur.ts).
TOKEN_OPS = ('input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj', 'post_attention_layernorm',
             'mlp_up_proj', 'mlp_act', 'mlp_down_proj', 'add')
MLP_SHAPE = ('n_head', 'n_kv_head', 'n_embd', 'n_expanded_embd', 'vocab_size', 'use_gated_mlp')


def export_vidur_tables(cache_dir: Path, out_dir: Path) -> Path:
    """Writes Vidur's own step-time tables (the random forests' predictions on its dense grid,
    `<op>_<hash>_predictions.csv` in its cache) as the three profile files `perf: {kind: vidur}`
    reads, so a fleetlab run prices every step exactly as Vidur did: what then differs is not
    the step model. Takes the newest prediction set in the cache."""
    sets = sorted(glob.glob(str(cache_dir / 'attn_prefill_*_predictions.csv')), key=os.path.getmtime)
    if not sets:
        fail(f'{cache_dir}: no Vidur prediction tables (attn_prefill_<hash>_predictions.csv); run Vidur first')
    tag = Path(sets[-1]).name[len('attn_prefill_'):-len('_predictions.csv')]
    table = lambda op: read_csv(cache_dir / f'{op}_{tag}_predictions.csv')  # noqa: E731
    out_dir.mkdir(parents=True, exist_ok=True)
    # The model's shape columns, as the shipped profile has them at tp 2.
    shipped = next(r for r in read_csv(ROOT / 'profiles/vidur/a100/llama2-70b_mlp.csv') if r['num_tensor_parallel_workers'] == '2')
    ops = {op: {int(r['num_tokens']): r['prediction'] for r in table(op)} for op in TOKEN_OPS}
    with (out_dir / 'mlp.csv').open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow([*MLP_SHAPE, 'num_tokens', 'num_tensor_parallel_workers', *[f'time_stats.{op}.median' for op in TOKEN_OPS]])
        for tokens in sorted(ops['mlp_up_proj']):
            w.writerow([*[shipped[c] for c in MLP_SHAPE], tokens, 2, *[ops[op][tokens] for op in TOKEN_OPS]])
    with (out_dir / 'all_reduce.csv').open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['num_workers', 'devices_per_node', 'size', 'collective', 'time_stats.all_reduce.median'])
        embd = int(shipped['n_embd'])
        for r in table('all_reduce'):
            # fleetlab reads a size in bytes: tokens × n_embd × 2 (fp16), as Vidur converts it.
            w.writerow([2, 2, int(r['num_tokens']) * embd * 2, 'all_reduce', r['prediction']])
    with (out_dir / 'attention.csv').open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['n_embd', 'n_q_head', 'n_kv_head', 'block_size', 'num_tensor_parallel_workers', 'batch_size', 'prefill_chunk_size',
                    'kv_cache_size', 'is_prefill', 'time_stats.attn_prefill.median', 'time_stats.attn_decode.median'])
        head = [shipped['n_embd'], shipped['n_head'], shipped['n_kv_head'], 16, 2]
        for r in table('attn_decode'):
            w.writerow([*head, r['batch_size'], 0, r['kv_cache_size'], 'False', '', r['prediction']])
        for r in table('attn_prefill'):
            # Vidur keys prefill attention by the chunk squared; its grid holds whole chunks.
            chunk = math.isqrt(int(r['prefill_chunk_size_squared']))
            w.writerow([*head, 1, chunk, r['kv_cache_size'], 'True', r['prediction'], ''])
    return out_dir


def run_fleetlab(args: argparse.Namespace, builtin: str, rows: int, label: str = 'fleetlab', tables: Path | None = None) -> Path:
    out_dir = Path(args.out).resolve() / label
    command = ['node', str(ROOT / 'bin' / 'fleetlab.js'), 'run', '--config', str(EXAMPLE), '--steps', '--no-progress',
               '--seed', str(args.seed), '-o', str(out_dir), '--overwrite']
    if tables is not None:
        for field in ('mlp', 'attention', 'all_reduce'):
            command += ['--set', f'model.perf.{field}={tables / (field + ".csv")}']
    if builtin != TRACES['conv'][0]:
        # The example replays conv; the same config on another trace changes only the file and count.
        for section in ('arrival.trace', 'lengths.paired.trace'):
            command += ['--set', f'workload.{section}.path={builtin}']
        command += ['--set', f'workload.num_requests={rows}', '--set', f'name=vidur-llama2-70b-tp2-{args.trace}']
    print('$', ' '.join(command), file=sys.stderr)
    # fleetlab's own table goes to stderr: stdout is the comparison alone.
    subprocess.run(command, cwd=ROOT, check=True, stdout=sys.stderr)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--trace', choices=sorted(TRACES), default='conv')
    parser.add_argument('--vidur-dir', help='a Vidur checkout to run (python -m vidur.main in it)')
    parser.add_argument('--python', default='python3', help='a Python that imports Vidur and its dependencies')
    parser.add_argument('--vidur-grid', choices=sorted(GRIDS), default='reduced')
    parser.add_argument('--threads', type=int, default=1, help="Vidur's random-forest training threads")
    parser.add_argument('--vidur-out', help='a Vidur output folder (request_metrics.csv, batch_metrics.csv) instead of running Vidur')
    parser.add_argument('--fleetlab-out', help='a fleetlab results folder (run with --steps) instead of running fleetlab')
    parser.add_argument('--vidur-cache', help="Vidur's cache folder: also run fleetlab on Vidur's own step-time tables (its "
                        "random forests' predictions), which isolates the step model (default: <vidur-dir>/cache when running Vidur)")
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--out', default='results/vidur-parity', help='where runs and parity.json go')
    parser.add_argument('--tolerance', type=float, default=0.03, help='relative difference allowed per statistic')
    args = parser.parse_args()

    builtin, vidur_path, rows = TRACES[args.trace]
    if args.vidur_out is None and args.vidur_dir is None:
        fail('give --vidur-dir (to run Vidur) or --vidur-out (results it wrote)')
    vidur_out = Path(args.vidur_out) if args.vidur_out else run_vidur(args, vidur_path)
    fleet_out = Path(args.fleetlab_out) if args.fleetlab_out else run_fleetlab(args, builtin, rows)

    runs = {'Vidur': vidur_distributions(vidur_out), 'fleetlab': fleetlab_distributions(fleet_out)}
    cache = args.vidur_cache or (str(Path(args.vidur_dir) / 'cache') if args.vidur_dir and not args.vidur_out else None)
    if cache is not None:
        tables = export_vidur_tables(Path(cache), Path(args.out).resolve() / 'vidur-tables')
        runs["fleetlab on Vidur's tables"] = fleetlab_distributions(run_fleetlab(args, builtin, rows, 'fleetlab-vidur-tables', tables))
    names = list(runs)
    table = []
    print('| metric | stat | ' + ' | '.join(names) + ' | ' + ' | '.join(f'{n} vs Vidur' for n in names[1:]) + ' |')
    print('|---|---|' + '---:|' * (2 * len(names) - 1))
    for metric in ('ttft_s', 'tpot_s', 'e2e_s', 'batch_size', 'decode_batch_size', 'prefill_batch_tokens'):
        st = {n: stats(runs[n][metric]) for n in names}
        for name, _ in QUANTILES:
            v = st['Vidur'][name]
            row = {'metric': metric, 'stat': name, **{n: st[n][name] for n in names}, 'diff': {}, 'within': {}}
            cells = []
            for n in names[1:]:
                f = st[n][name]
                diff = (f - v) / v if v != 0 else (0.0 if f == 0 else math.inf)
                # A quantile of a count (sequences, tokens) is an integer: one unit apart is as close as they can be.
                within = abs(diff) <= args.tolerance or (metric in COUNTS and name != 'mean' and abs(f - v) <= 1)
                row['diff'][n], row['within'][n] = diff, within
                cells.append(f'{diff * 100:+.1f} %{"" if within else " ✗"}')
            table.append(row)
            print(f'| {metric} | {name} | ' + ' | '.join(f'{st[n][name]:.4g}' for n in names) + ' | ' + ' | '.join(cells) + ' |')
    counts = {k: {n: len(runs[n][k]) for n in names} for k in runs['Vidur']}
    print(f'\ncounts: {json.dumps(counts)}')
    failed = [f"{n}: {r['metric']} {r['stat']}" for r in table for n in names[1:] if not r['within'][n]]
    print(f"outside the tolerance ({args.tolerance * 100:.1f} %): {', '.join(failed) if failed else 'none'}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'parity.json').write_text(json.dumps({
        'trace': args.trace, 'seed': args.seed, 'vidur_out': str(vidur_out), 'fleetlab_out': str(fleet_out),
        'counts': counts, 'tolerance': args.tolerance, 'table': table, 'outside_tolerance': failed,
    }, indent=2) + '\n')
    sys.exit(0 if not failed else 1)


if __name__ == '__main__':
    main()
