/**
 * Registries are plain data: one entry per `kind` of a spec union, checked once when the
 * module loads. A duplicate or a missing kind is a programming error and throws at import,
 * long before any run starts.
 */

/** Builds policy `T` from the parsed spec of one kind, with caller-supplied dependencies `D`. */
export type RegistryEntry<S extends { kind: string }, D, T> = {
  [K in S['kind']]: { readonly kind: K; build(spec: Extract<S, { kind: K }>, deps: D): T };
}[S['kind']];

export interface Registry<S extends { kind: string }, D, T> {
  readonly family: string;
  readonly kinds: readonly S['kind'][];
  build(spec: S, deps: D): T;
}

export function makeRegistry<S extends { kind: string }, D, T>(
  family: string,
  kinds: readonly S['kind'][],
  entries: readonly RegistryEntry<S, D, T>[],
): Registry<S, D, T> {
  const byKind = new Map<string, RegistryEntry<S, D, T>>();
  for (const entry of entries) {
    if (byKind.has(entry.kind)) throw new Error(`${family} registry: duplicate kind "${entry.kind}"`);
    if (!kinds.includes(entry.kind)) throw new Error(`${family} registry: "${entry.kind}" is not in the spec`);
    byKind.set(entry.kind, entry);
  }
  const missing = kinds.filter((kind) => !byKind.has(kind));
  if (missing.length > 0) throw new Error(`${family} registry: no entry for ${missing.join(', ')}`);
  return {
    family,
    kinds,
    build(spec, deps) {
      const entry = byKind.get(spec.kind);
      if (entry === undefined) throw new Error(`${family} registry: unknown kind "${spec.kind}"`);
      // The entry was registered under spec.kind, so its spec type is exactly this member.
      return (entry.build as (spec: S, deps: D) => T)(spec, deps);
    },
  };
}
