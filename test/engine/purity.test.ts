import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';

test('engine/ is pure: it imports nothing from sim/, backend/, metrics/ or node: modules', (t) => {
  const dir = join(import.meta.dirname, '../../engine');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.true(files.length >= 8);
  for (const file of files) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    for (const spec of imports) t.true(spec.startsWith('./'), `${file} imports ${spec}`);
  }
});
