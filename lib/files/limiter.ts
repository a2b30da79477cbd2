/**
 * At most `concurrency` tasks at once, the rest wait in arrival order. For work that is cheap to queue and
 * expensive to run side by side (image decoding: CPU, memory, libuv threads). No dependency for ten lines.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over by release()
    try {
      return await task();
    } finally {
      release();
    }
  };
}
