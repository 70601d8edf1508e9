import { readFileSync } from 'node:fs';

/** The package version, written into every result's config.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
