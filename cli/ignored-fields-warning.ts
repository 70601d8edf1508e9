/**
 * `fleetlab serve`'s note on request fields it drops (unknown to it, as vLLM drops them and logs
 * them): a client's misspelt `max_token` otherwise silently runs with the default. Once per field
 * name, so a load generator repeating one extra field does not flood the log.
 */
export function warnIgnoredFieldsOnce(log: (line: string) => void = console.error): (endpoint: string, fields: readonly string[]) => void {
  const warned = new Set<string>();
  return (endpoint, fields) => {
    const fresh = fields.filter((f) => !warned.has(f));
    if (fresh.length === 0) return;
    for (const f of fresh) warned.add(f);
    log(`fleetlab serve: ${endpoint}: ignored request field(s) ${fresh.join(', ')}: not a field this server knows (docs/api.md); said once per name`);
  };
}
