import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAwayMonitor, type TabStatus } from './away';

function fakeDocument() {
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  const setVisibility = (state: DocumentVisibilityState) => {
    doc.visibilityState = state;
    doc.dispatchEvent(new Event('visibilitychange'));
  };
  return { doc, setVisibility };
}

describe('away monitor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('away after the idle time without input, online again on input', () => {
    const changes: TabStatus[] = [];
    const target = new EventTarget();
    const { doc } = fakeDocument();
    const monitor = createAwayMonitor({ onChange: (s) => changes.push(s), idleMs: 1_000, target, doc });
    vi.advanceTimersByTime(600);
    target.dispatchEvent(new Event('pointermove')); // postpones idleness
    vi.advanceTimersByTime(600);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(400);
    expect(changes).toEqual(['away']);
    target.dispatchEvent(new Event('keydown'));
    expect(changes).toEqual(['away', 'online']);
    expect(monitor.status).toBe('online');
    monitor.dispose();
    vi.advanceTimersByTime(5_000);
    expect(changes).toEqual(['away', 'online']);
  });

  it('away while hidden, online when shown', () => {
    const changes: TabStatus[] = [];
    const target = new EventTarget();
    const { doc, setVisibility } = fakeDocument();
    const monitor = createAwayMonitor({ onChange: (s) => changes.push(s), idleMs: 60_000, target, doc });
    setVisibility('hidden');
    target.dispatchEvent(new Event('pointermove')); // input in a hidden tab does not count
    expect(monitor.status).toBe('away');
    setVisibility('visible');
    expect(changes).toEqual(['away', 'online']);
    monitor.dispose();
  });
});
