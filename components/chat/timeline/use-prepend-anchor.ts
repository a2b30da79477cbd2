'use client';
import { useCallback, useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** Frames after an older page comes in during which the row on screen is held in place. */
const HOLD_FRAMES = 30;

/**
 * Older pages keep what is on screen where it is. Virtuoso shifts the scroll position by estimated heights for
 * the rows it has not measured yet (compact continuation rows are half a full one), so the first row in view is
 * the anchor: noted when the page is asked for and again at every scroll until it comes in (the person may still
 * be scrolling), then held for a few frames after it comes in — unless the person scrolls again meanwhile.
 *
 * Returns the function to ask for an older page with. `firstItemIndex` moves exactly when a page is prepended;
 * `intentAt` is when the person last wheeled, touched, pressed a key or a pointer in the list.
 */
export function usePrependAnchor({
  scroller,
  loadOlder,
  firstItemIndex,
  intentAt,
}: {
  scroller: HTMLElement | null;
  loadOlder: () => Promise<void>;
  firstItemIndex: number;
  intentAt: RefObject<number>;
}): () => void {
  const view = useRef<HTMLElement | null>(null);
  const anchor = useRef<{ seq: string; top: number } | null>(null);
  const anchoring = useRef(false);
  const frame = useRef(0);

  const noteAnchor = useCallback(() => {
    const el = view.current;
    if (!el || !anchoring.current) return;
    const top = el.getBoundingClientRect().top;
    const first = [...el.querySelectorAll<HTMLElement>('li[data-seq]')].find((row) => row.getBoundingClientRect().bottom > top);
    anchor.current = first ? { seq: first.dataset.seq ?? '', top: first.getBoundingClientRect().top - top } : null;
  }, []);

  useEffect(() => {
    view.current = scroller;
    if (!scroller) return;
    scroller.addEventListener('scroll', noteAnchor, { passive: true });
    return () => scroller.removeEventListener('scroll', noteAnchor);
  }, [scroller, noteAnchor]);

  useLayoutEffect(() => {
    const held = anchor.current;
    anchoring.current = false;
    anchor.current = null;
    if (!held) return;
    const cameIn = performance.now();
    cancelAnimationFrame(frame.current);
    let frames = HOLD_FRAMES;
    const hold = () => {
      const el = view.current;
      if (!el || intentAt.current > cameIn) return;
      const row = el.querySelector<HTMLElement>(`li[data-seq="${held.seq}"]`);
      if (row) {
        const drift = row.getBoundingClientRect().top - el.getBoundingClientRect().top - held.top;
        if (Math.abs(drift) >= 1) el.scrollTop += drift;
      }
      if (frames-- > 0) frame.current = requestAnimationFrame(hold);
    };
    hold();
  }, [firstItemIndex, intentAt]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  return useCallback(() => {
    anchoring.current = true;
    noteAnchor();
    // A page that failed or brought nothing never commits a prepend: stop noting once it has settled.
    void loadOlder().finally(() => requestAnimationFrame(() => (anchoring.current = false)));
  }, [loadOlder, noteAnchor]);
}
