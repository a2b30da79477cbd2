/**
 * What both storage backends refuse, so they refuse it alike: keys outside STORAGE_KEY_PATTERN and byte
 * ranges that cannot be served. Either is a bug in the caller (keys and ranges are made by Parley's own
 * code), so they throw instead of answering "not found".
 */
import { STORAGE_KEY_PATTERN, type ByteRange } from './storage';

export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
  constructor(key: string) {
    super(`Refused storage key ${JSON.stringify(key.slice(0, 220))}: keys match STORAGE_KEY_PATTERN.`);
  }
}

/** The range starts at or beyond the end of the object (or is malformed). */
export class StorageRangeError extends RangeError {
  override name = 'StorageRangeError';
  constructor(range: ByteRange, size?: number) {
    super(`Unsatisfiable byte range ${range.start}-${range.end}${size === undefined ? '' : ` of ${size} bytes`}.`);
  }
}

/** Also refuses empty and `.` segments (`a//b`, `a/./b`, `a/`): a path would fold them into another key. */
export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY_PATTERN.test(key) || key.split('/').some((segment) => segment === '' || segment === '.')) {
    throw new InvalidStorageKeyError(key);
  }
}

/** A range must be whole numbers with start ≤ end. An end past the object is cut to its last byte, as HTTP does. */
export function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StorageRangeError(range);
  }
}
