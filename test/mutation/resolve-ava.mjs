// Module resolution hook for the mutation harness: `import test from 'ava'` gets the shim.
const shim = new URL('./ava-shim.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'ava') return { url: shim, shortCircuit: true };
  return next(specifier, context);
}
