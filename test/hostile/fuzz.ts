// `npm run fuzz [-- SECONDS [SEED]]`: fuzzes config parsing, trace loaders and the KV wire
// format for a bounded time (default 30 s); exits 1 listing each failure with its seed.
import { fuzz } from './fuzz-targets.ts';

const seconds = Number(process.argv[2] ?? process.env.FUZZ_SECONDS ?? 30);
const seed = process.argv[3] ?? process.env.FUZZ_SEED ?? 'fleetlab';
if (!(seconds > 0)) throw new Error(`fuzz: seconds must be > 0, received ${process.argv[2]}`);
const { cases, failures, outcomes } = fuzz(seconds, seed);
console.log(`fuzz: ${cases} cases in ${seconds} s (seed "${seed}"), ${failures.length} failure(s)`);
for (const [target, o] of Object.entries(outcomes)) console.log(`  ${target}: ${o.ok} accepted, ${o.refused} refused with a clear error`);
for (const f of failures) console.log(`\n[${f.target}] seed ${f.seed}\n  input: ${f.input}\n  error: ${f.error}`);
process.exitCode = failures.length > 0 ? 1 : 0;
