// Parsers for command-line values, one per kind: each refuses what it cannot take with the
// value it received and what it expected (commander prints the message and exits).
import { InvalidArgumentError } from '@commander-js/extra-typings';

/** Number("") and Number(" ") are 0: an empty value must not silently become 0. */
const toNumber = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));

export const positive = (value: string): number => {
  const n = toNumber(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, received "${value}"`);
  return n;
};

export const nonNegative = (value: string): number => {
  const n = toNumber(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, received "${value}"`);
  return n;
};

export const finite = (value: string): number => {
  const n = toNumber(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, received "${value}"`);
  return n;
};

export const positiveNumber = (value: string): number => {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, received "${value}"`);
  return n;
};

/** vLLM's --request-rate: `inf` (everything at t = 0; any case) or requests per second > 0. */
export const requestRate = (value: string): number => {
  if (value.trim().toLowerCase() === 'inf') return Infinity;
  const n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected inf or a number > 0, received "${value}"`);
  return n;
};

export const port = (value: string): number => {
  const n = toNumber(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port in [0, 65535], received "${value}"`);
  return n;
};
