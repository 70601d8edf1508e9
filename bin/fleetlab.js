#!/usr/bin/env node
// The fleetlab command. It runs the compiled JavaScript in dist/ (built by `npm ci` / `npm run
// build`, scripts/build.mjs) when that build is of the current sources, and otherwise the
// TypeScript sources through tsx's loader, so editing a policy and running it needs no build
// step and never runs a stale copy. FLEETLAB_FROM_SOURCE=1 forces the sources. docs/startup.md.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Answered before loading any command: the same value `fleetlab --version` prints from main.
  console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
} else {
  const { freshEntry } = await import('../scripts/compiled-tree.mjs');
  const compiled = process.env.FLEETLAB_FROM_SOURCE === '1' ? undefined : freshEntry();
  if (compiled !== undefined) {
    await import(compiled);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/main.ts');
  }
}
