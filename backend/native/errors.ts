// Error family of the native data plane. Every error carries a stable `code`; checkpoint
// errors also name the file, the field, the offending value and what was expected.

export class NativeError extends Error {
  readonly code: string;
  constructor(message: string, code = 'ENATIVE', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeError';
    this.code = code;
  }
}

/** The addon could not be loaded; `attempts` lists every candidate and why it failed. */
export class AddonLoadError extends NativeError {
  readonly attempts: readonly string[];
  constructor(message: string, attempts: readonly string[], options?: { cause?: unknown }) {
    super(message, 'EADDON', options);
    this.name = 'AddonLoadError';
    this.attempts = attempts;
  }
}

export interface CheckpointErrorDetails {
  file: string;
  field: string;
  value: unknown;
  expected: string;
}

export class CheckpointError extends NativeError {
  readonly file: string;
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  constructor(d: CheckpointErrorDetails, options?: { cause?: unknown }) {
    super(`${d.file}: ${d.field} = ${describe(d.value)}; expected ${d.expected}`, 'ECHECKPOINT', options);
    this.name = 'CheckpointError';
    this.file = d.file;
    this.field = d.field;
    this.value = d.value;
    this.expected = d.expected;
  }
}

export class LoadCancelledError extends NativeError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} cancelled`, 'ECANCELLED', options);
    this.name = 'LoadCancelledError';
  }
}

export class TransferError extends NativeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ETRANSFER', options);
    this.name = 'TransferError';
  }
}

/** Re-throws a rejection from the addon as a NativeError, keeping the original as cause. */
export function fromNative(err: unknown, what: string): NativeError {
  if (err instanceof NativeError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'ENATIVE';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ECANCELLED') return new LoadCancelledError(what, { cause: err });
  return new NativeError(`${what} failed: ${message}`, code, { cause: err });
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 120)}…` : s;
  } catch {
    return String(v);
  }
}
