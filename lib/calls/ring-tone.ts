/**
 * Ring tones made with Web Audio (no sound files to ship): the incoming ring, a double burst every 2.5 s,
 * and the caller's quieter ringback, 1.5 s every 4 s. Browser-only. A page that has not been interacted
 * with yet may not play sound (autoplay policy): the tone then starts with the first click or key.
 */

export type TonePattern = 'incoming' | 'ringback';

interface Pattern {
  /** Two frequencies mixed (telephone style). */
  frequencies: [number, number];
  /** [start, length] of each burst within a cycle, seconds. */
  bursts: [number, number][];
  cycleSeconds: number;
  volume: number;
}

const PATTERNS: Record<TonePattern, Pattern> = {
  incoming: { frequencies: [660, 880], bursts: [[0, 0.4], [0.6, 0.4]], cycleSeconds: 2.5, volume: 0.12 },
  ringback: { frequencies: [440, 480], bursts: [[0, 1.5]], cycleSeconds: 4, volume: 0.05 },
};

type AudioContextClass = typeof AudioContext;

/** Starts a tone; the returned function stops it (safe to call twice). */
export function startTone(pattern: TonePattern): () => void {
  const Context: AudioContextClass | undefined =
    typeof window === 'undefined' ? undefined : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext);
  if (!Context) return () => undefined;
  let context: AudioContext;
  try {
    context = new Context();
  } catch {
    return () => undefined;
  }
  const spec = PATTERNS[pattern];
  const output = context.createGain();
  output.gain.value = spec.volume;
  output.connect(context.destination);

  let stopped = false;
  let nextCycle = 0;
  const schedule = () => {
    if (stopped || context.state !== 'running') return;
    // Keep about one cycle scheduled ahead of the clock.
    if (nextCycle < context.currentTime) nextCycle = context.currentTime + 0.05;
    while (nextCycle < context.currentTime + spec.cycleSeconds) {
      for (const [offset, length] of spec.bursts) {
        const start = nextCycle + offset;
        const envelope = context.createGain();
        envelope.gain.setValueAtTime(0, start);
        envelope.gain.linearRampToValueAtTime(1, start + 0.02);
        envelope.gain.setValueAtTime(1, start + length - 0.03);
        envelope.gain.linearRampToValueAtTime(0, start + length);
        envelope.connect(output);
        for (const frequency of spec.frequencies) {
          const oscillator = context.createOscillator();
          oscillator.frequency.value = frequency;
          oscillator.connect(envelope);
          oscillator.start(start);
          oscillator.stop(start + length);
        }
      }
      nextCycle += spec.cycleSeconds;
    }
  };
  const timer = setInterval(schedule, 500);
  const resume = () => void context.resume().then(schedule, () => undefined);
  // Blocked until the person interacts with the page: try again then.
  window.addEventListener('pointerdown', resume, { once: true });
  window.addEventListener('keydown', resume, { once: true });
  resume();

  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    window.removeEventListener('pointerdown', resume);
    window.removeEventListener('keydown', resume);
    void context.close().catch(() => undefined);
  };
}
