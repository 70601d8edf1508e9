// npm run build (and `prepare`, so `npm ci` runs it): compiles the CLI's TypeScript into dist/
// with esbuild, one .js per .ts at the same relative path, so `bin/fleetlab.js` starts without
// transpiling (docs/startup.md). Files the code reads next to itself (trace data, the gRPC
// proto, package.json, the native addon under cuda/) are symbolic links back to the sources,
// so `new URL('../data/x', import.meta.url)` finds the same file from either tree.
//   node scripts/build.mjs [OUT]   (default dist/)
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { codeState, ROOT, SOURCE_DIRS, sourceFiles, STAMP } from './compiled-tree.mjs';

const out = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const started = performance.now();
// The state is taken before compiling: a file saved during the build leaves the tree stale.
const state = codeState();
const files = sourceFiles();
rmSync(out, { recursive: true, force: true });

// Each module stays its own file: relative imports are left as imports, with .ts → .js.
const keepRelativeImports = {
  name: 'keep-relative-imports',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.ts$/, '.js'), external: true }));
  },
};
await build({
  entryPoints: files.filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, f)),
  outdir: out,
  outbase: ROOT,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [keepRelativeImports],
});

const link = (target, at) => {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(relative(dirname(at), target), at);
};
for (const file of files) {
  if (file.endsWith('.ts')) continue;
  // Worker entry points (.mjs) are copied: they look for their compiled neighbour beside them.
  if (file.endsWith('.mjs')) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(out, file));
  } else link(join(ROOT, file), join(out, file));
}
for (const extra of ['package.json', 'cuda', 'README.md']) link(join(ROOT, extra), join(out, extra));

writeFileSync(join(out, STAMP), `${JSON.stringify({ ...state, source_dirs: SOURCE_DIRS }, null, 2)}\n`);
console.error(`fleetlab: compiled the sources (${state.source_files} files) into ${relative(process.cwd(), out) || '.'}/ in ${((performance.now() - started) / 1e3).toFixed(1)} s`);
