/**
 * This tab's own status for `presence:set`: away while hidden or after a few minutes without pointer or
 * key input, online again on input or when shown. Browser-only (pass stand-ins in tests).
 */
export type TabStatus = 'online' | 'away';

export const IDLE_AFTER_MS = 3 * 60_000;

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

export interface AwayMonitorOptions {
  onChange(status: TabStatus): void;
  idleMs?: number;
  /** Where input is listened for (window). */
  target?: EventTarget;
  /** Whose visibility is followed (document). */
  doc?: EventTarget & { visibilityState: DocumentVisibilityState };
}

export interface AwayMonitor {
  readonly status: TabStatus;
  dispose(): void;
}

export function createAwayMonitor(options: AwayMonitorOptions): AwayMonitor {
  const idleMs = options.idleMs ?? IDLE_AFTER_MS;
  const target = options.target ?? window;
  const doc = options.doc ?? document;
  const hidden = () => doc.visibilityState === 'hidden';
  let lastInput = Date.now();
  let status: TabStatus = hidden() ? 'away' : 'online';
  let timer: ReturnType<typeof setTimeout> | undefined;

  function set(next: TabStatus): void {
    if (next === status) return;
    status = next;
    options.onChange(next);
  }

  /** One timer, re-armed lazily: input only records its time (pointermove is frequent). */
  function arm(delay: number): void {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, delay));
  }

  function check(): void {
    const idleFor = Date.now() - lastInput;
    if (idleFor >= idleMs) set('away');
    else arm(idleMs - idleFor);
  }

  const onInput = () => {
    lastInput = Date.now();
    if (status === 'away' && !hidden()) {
      set('online');
      arm(idleMs);
    }
  };
  const onVisibility = () => {
    if (hidden()) return set('away');
    lastInput = Date.now();
    set('online');
    arm(idleMs);
  };

  for (const type of INPUT_EVENTS) target.addEventListener(type, onInput, { passive: true, capture: true });
  doc.addEventListener('visibilitychange', onVisibility);
  arm(idleMs);

  return {
    get status() {
      return status;
    },
    dispose() {
      clearTimeout(timer);
      for (const type of INPUT_EVENTS) target.removeEventListener(type, onInput, { capture: true });
      doc.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
