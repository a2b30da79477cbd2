import { describe, expect, it } from 'vitest';
import { createLogThrottle } from './log-throttle';

describe('createLogThrottle', () => {
  it('lets one line per kind through per window and reports how many it held back', () => {
    let time = 0;
    const throttle = createLogThrottle({ windowMs: 60_000, now: () => time });
    expect(throttle.take('a')).toEqual({ suppressed: 0 });
    expect(throttle.take('b')).toEqual({ suppressed: 0 });
    for (let i = 0; i < 999; i += 1) expect(throttle.take('a')).toBeNull();
    time = 59_999;
    expect(throttle.take('a')).toBeNull();
    time = 60_000;
    expect(throttle.take('a')).toEqual({ suppressed: 1000 });
    expect(throttle.take('a')).toBeNull();
    expect(throttle.take('b')).toEqual({ suppressed: 0 });
  });

  it('remembers a bounded number of kinds', () => {
    const throttle = createLogThrottle({ maxKinds: 2, now: () => 0 });
    expect(throttle.take('a')).not.toBeNull();
    expect(throttle.take('b')).not.toBeNull();
    expect(throttle.take('c')).not.toBeNull(); // forgets a
    expect(throttle.take('a')).not.toBeNull();
    expect(throttle.take('c')).toBeNull();
  });
});
