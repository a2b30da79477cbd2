'use client';
import { MicrophoneIcon, StopIcon, TrashIcon } from '@heroicons/react/20/solid';
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { formatDuration, waveformBars } from '@/lib/files/display';
import type { VoiceDescription } from '@/lib/files/upload-client';
import { VOICE_MAX_DURATION_MS } from '@/lib/schemas/limits';

/** Containers to record in, best first (Chromium and Firefox: WebM/Opus; Safari: MP4/AAC). */
const MIME_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'] as const;
/** Speech needs little: a minute of Opus at this rate is about 240 KB. */
const AUDIO_BITS_PER_SECOND = 32_000;
/** Shorter than this is a slip of the finger, not a message. */
const MIN_RECORDING_MS = 500;
/** A press on the mic button held at least this long records until it is released (hold to talk). */
const HOLD_MS = 400;
const WAVEFORM_BARS = 64;

export type RecorderState = 'idle' | 'starting' | 'recording' | 'processing';

export interface Recording {
  blob: Blob;
  name: string;
  voice: VoiceDescription;
}

function pickMimeType(): string | undefined {
  if (typeof MediaRecorder === 'undefined' || typeof MediaRecorder.isTypeSupported !== 'function') return undefined;
  return MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
}

function extensionFor(mime: string): string {
  if (mime.includes('ogg')) return 'ogg';
  if (mime.includes('mp4') || mime.includes('aac')) return 'm4a';
  return 'webm';
}

/** What went wrong, in words a person can act on. */
function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Microphone access is blocked. Allow the microphone for this site in your browser’s settings to record voice messages.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found. Connect one and try again.';
  if (name === 'NotReadableError' || name === 'AbortError') return 'The microphone is in use by another app, or cannot be opened. Try again.';
  return 'Recording could not start in this browser.';
}

/** The recording's length and waveform, decoded from the recording itself (the container's header may not say). */
async function describe(blob: Blob, measuredMs: number): Promise<VoiceDescription> {
  const Context = typeof AudioContext !== 'undefined' ? AudioContext : undefined;
  if (!Context) return { durationMs: measuredMs, waveform: [] };
  const context = new Context();
  try {
    const buffer = await context.decodeAudioData(await blob.arrayBuffer());
    return { durationMs: Math.round(buffer.duration * 1000), waveform: waveformBars(buffer.getChannelData(0), WAVEFORM_BARS) };
  } catch {
    return { durationMs: measuredMs, waveform: [] };
  } finally {
    void context.close().catch(() => undefined);
  }
}

/**
 * MediaRecorder with a clock: start, stop (the recording is described and handed over) or cancel (thrown
 * away). The microphone is released as soon as recording ends, and when the component goes away.
 */
export function useVoiceRecorder(onRecorded: (recording: Recording) => void) {
  const [state, setState] = useState<RecorderState>('idle');
  const [elapsedMs, setElapsedMs] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const session = useRef<{ recorder: MediaRecorder; stream: MediaStream; startedAt: number; keep: boolean; timer: ReturnType<typeof setInterval> } | null>(null);
  const handOver = useRef(onRecorded);
  useEffect(() => {
    handOver.current = onRecorded;
  });

  useEffect(
    () => () => {
      const current = session.current;
      if (!current) return;
      current.keep = false;
      clearInterval(current.timer);
      if (current.recorder.state !== 'inactive') current.recorder.stop();
      for (const track of current.stream.getTracks()) track.stop();
      session.current = null;
    },
    [],
  );

  async function start(): Promise<void> {
    if (state !== 'idle') return;
    setProblem(null);
    if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      setProblem('This browser cannot record audio.');
      return;
    }
    setState('starting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (error) {
      setState('idle');
      setProblem(microphoneProblem(error));
      return;
    }
    const mimeType = pickMimeType();
    let recorder: MediaRecorder;
    try {
      recorder = new MediaRecorder(stream, { ...(mimeType ? { mimeType } : {}), audioBitsPerSecond: AUDIO_BITS_PER_SECOND });
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      setState('idle');
      setProblem(microphoneProblem(error));
      return;
    }
    const chunks: Blob[] = [];
    const startedAt = performance.now();
    const timer = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      setElapsedMs(elapsed);
      if (elapsed >= VOICE_MAX_DURATION_MS) stop();
    }, 200);
    const current = { recorder, stream, startedAt, keep: true, timer };
    session.current = current;
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    recorder.onstop = () => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
      if (session.current === current) session.current = null;
      const measuredMs = performance.now() - startedAt;
      if (!current.keep) {
        setState('idle');
        return;
      }
      if (measuredMs < MIN_RECORDING_MS || chunks.length === 0) {
        setState('idle');
        setProblem('That was too short to send. Click the microphone to start, and again to stop.');
        return;
      }
      setState('processing');
      const type = recorder.mimeType || mimeType || 'audio/webm';
      const blob = new Blob(chunks, { type });
      const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '.');
      void describe(blob, Math.round(measuredMs)).then((voice) => {
        setState('idle');
        handOver.current({ blob, name: `Voice message ${stamp}.${extensionFor(type)}`, voice });
      });
    };
    setElapsedMs(0);
    setState('recording');
    // Data every second: a crash or a closed tab mid-recording still leaves most of it in `chunks`.
    recorder.start(1000);
  }

  function stop(): void {
    const current = session.current;
    if (current && current.recorder.state !== 'inactive') current.recorder.stop();
  }

  function cancel(): void {
    const current = session.current;
    if (!current) return;
    current.keep = false;
    if (current.recorder.state !== 'inactive') current.recorder.stop();
  }

  return { state, elapsedMs, problem, clearProblem: () => setProblem(null), start, stop, cancel };
}

export type VoiceRecorder = ReturnType<typeof useVoiceRecorder>;

/**
 * The microphone button: a click starts recording and the next click stops it; pressed and held, it
 * records until released. Keyboard: Enter or Space toggles.
 */
export function MicButton({ recorder, disabled }: { recorder: VoiceRecorder; disabled?: boolean }) {
  const pressedAt = useRef<number | null>(null);
  const startedByPress = useRef(false);
  const recording = recorder.state === 'recording';
  // Not disabled while the microphone opens: a disabled button would swallow the release of a held press.
  const busy = recorder.state === 'processing';

  function onPointerDown(event: ReactPointerEvent<HTMLButtonElement>) {
    if (event.button !== 0 || disabled) return;
    pressedAt.current = performance.now();
    startedByPress.current = recorder.state === 'idle';
    if (recorder.state === 'idle') void recorder.start();
    else if (recording) recorder.stop();
  }

  function onPointerUp() {
    const at = pressedAt.current;
    pressedAt.current = null;
    // Held down: this release ends the recording it started.
    if (at !== null && startedByPress.current && performance.now() - at >= HOLD_MS) recorder.stop();
    startedByPress.current = false;
  }

  function onClick(event: ReactMouseEvent<HTMLButtonElement>) {
    // Pointer presses are handled above; detail 0 is the keyboard (Enter, Space).
    if (event.detail !== 0) return;
    if (recorder.state === 'idle') void recorder.start();
    else if (recording) recorder.stop();
  }

  return (
    <button
      type="button"
      onPointerDown={onPointerDown}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onClick={onClick}
      onContextMenu={(event) => event.preventDefault()}
      disabled={disabled || busy}
      aria-label={recording ? 'Stop recording' : 'Record a voice message'}
      aria-pressed={recording}
      title={recording ? 'Stop recording' : 'Record a voice message (click, or press and hold)'}
      data-testid="record-voice"
      data-state={recorder.state}
      className={`flex size-10 shrink-0 touch-none select-none items-center justify-center rounded-md focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-50 ${
        recording ? 'bg-danger text-white hover:bg-danger' : 'text-fg-muted hover:bg-surface-sunken hover:text-fg'
      }`}
    >
      {recording ? <StopIcon aria-hidden="true" className="size-5" /> : <MicrophoneIcon aria-hidden="true" className="size-5" />}
    </button>
  );
}

/** Shown in place of the text box while recording: the clock, and a way to throw the recording away. */
export function RecordingBar({ recorder }: { recorder: VoiceRecorder }) {
  if (recorder.state !== 'recording' && recorder.state !== 'processing') return null;
  const processing = recorder.state === 'processing';
  return (
    <div data-testid="recording-bar" data-state={recorder.state} className="flex h-10 min-w-0 flex-1 items-center gap-2 rounded-md border border-danger-line bg-danger-soft px-2 text-sm">
      {processing ? (
        <span className="size-2.5 shrink-0 animate-pulse rounded-full bg-fg-subtle" aria-hidden="true" />
      ) : (
        <span className="size-2.5 shrink-0 animate-pulse rounded-full bg-danger" aria-hidden="true" />
      )}
      <span data-testid="recording-time" role="timer" aria-label={`Recording time ${formatDuration(recorder.elapsedMs)}`} className="shrink-0 font-medium tabular-nums text-danger-fg">
        {formatDuration(recorder.elapsedMs)}
      </span>
      <span className="min-w-0 flex-1 truncate text-danger-fg">{processing ? 'Preparing…' : 'Recording'}</span>
      {processing ? null : (
        <button
          type="button"
          onClick={recorder.cancel}
          aria-label="Discard the recording"
          title="Discard"
          data-testid="discard-recording"
          className="flex h-8 shrink-0 items-center gap-1 rounded px-2 text-danger-fg hover:bg-danger-soft focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger"
        >
          <TrashIcon aria-hidden="true" className="size-4" />
          <span className="hidden sm:inline">Discard</span>
        </button>
      )}
    </div>
  );
}
