'use client';
import { MicrophoneIcon, PauseIcon, PlayIcon } from '@heroicons/react/20/solid';
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatBytes, formatDuration, resampleBars } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';
import { barHeightClass } from './bar-height';
import { DownloadButton } from './file-chip';

/** Bars drawn for a voice message (the stored waveform has up to 128); fewer in the composer's tray. */
const SHOWN_BARS = 40;
const SHOWN_BARS_COMPACT = 28;
/** Arrow keys on the seek bar move this far. */
const SEEK_STEP_S = 5;

/** One sound at a time in the whole tab: starting one pauses whichever was playing. */
let playingNow: HTMLMediaElement | null = null;
function claimPlayback(element: HTMLMediaElement): void {
  if (playingNow && playingNow !== element && !playingNow.paused) playingNow.pause();
  playingNow = element;
}

/**
 * A voice message or an audio file: play/pause, a seek bar (the waveform for voice messages) that shows
 * progress and takes clicks, drags and arrow keys, and the time. The <audio> element has no controls of
 * its own, so the look is the same in every browser.
 */
export function AudioPlayer({ attachment, compact = false }: { attachment: Attachment; compact?: boolean }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [current, setCurrent] = useState(0);
  const [mediaDuration, setMediaDuration] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  const dragging = useRef(false);
  // MediaRecorder's WebM has no duration in its header (the element says Infinity): the recorder's own figure wins.
  const duration = attachment.durationMs !== null ? attachment.durationMs / 1000 : (mediaDuration ?? 0);
  const progress = duration > 0 ? Math.min(1, current / duration) : 0;
  const label = attachment.voice ? 'voice message' : attachment.name;

  useEffect(() => {
    const element = audio.current;
    return () => {
      if (element && playingNow === element) playingNow = null;
    };
  }, []);

  function toggle() {
    const element = audio.current;
    if (!element) return;
    if (element.paused) {
      claimPlayback(element);
      void element.play().catch(() => setFailed(true));
    } else {
      element.pause();
    }
  }

  function seekTo(seconds: number) {
    const element = audio.current;
    if (!element || !(duration > 0)) return;
    const target = Math.max(0, Math.min(duration, seconds));
    element.currentTime = target;
    setCurrent(target);
  }

  function seekFromPointer(event: PointerEvent<HTMLDivElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width > 0) seekTo(((event.clientX - box.left) / box.width) * duration);
  }

  function onSeekKey(event: KeyboardEvent<HTMLDivElement>) {
    const moves: Record<string, number> = { ArrowLeft: -SEEK_STEP_S, ArrowDown: -SEEK_STEP_S, ArrowRight: SEEK_STEP_S, ArrowUp: SEEK_STEP_S };
    if (event.key in moves) seekTo(current + moves[event.key]!);
    else if (event.key === 'Home') seekTo(0);
    else if (event.key === 'End') seekTo(duration);
    else if (event.key === ' ' || event.key === 'Enter') toggle();
    else return;
    event.preventDefault();
  }

  const bars = attachment.voice && attachment.waveform?.length ? resampleBars(attachment.waveform, compact ? SHOWN_BARS_COMPACT : SHOWN_BARS) : null;
  const shownTime = playing || current > 0 ? formatDuration(current * 1000) : formatDuration(duration * 1000);

  return (
    <div
      data-testid="audio-player"
      data-attachment-id={attachment.id}
      data-voice={attachment.voice || undefined}
      data-playing={playing || undefined}
      className={`flex max-w-full items-center gap-2 rounded-xl border border-line bg-surface-muted p-1.5 pr-3 ${compact ? 'w-64' : 'w-80'}`}
    >
      <button
        type="button"
        onClick={toggle}
        aria-label={`${playing ? 'Pause' : 'Play'} ${label}`}
        data-testid="audio-toggle"
        className="flex size-9 shrink-0 items-center justify-center rounded-full bg-accent text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2"
      >
        {playing ? <PauseIcon aria-hidden="true" className="size-5" /> : <PlayIcon aria-hidden="true" className="ml-0.5 size-5" />}
      </button>
      <div className="min-w-0 flex-1">
        {attachment.voice ? null : (
          <p className="truncate text-xs font-medium text-fg" title={attachment.name}>
            {attachment.name}
          </p>
        )}
        <div
          role="slider"
          tabIndex={0}
          aria-label={`Position in ${label}`}
          aria-valuemin={0}
          aria-valuemax={Math.round(duration)}
          aria-valuenow={Math.round(current)}
          aria-valuetext={`${formatDuration(current * 1000)} of ${formatDuration(duration * 1000)}`}
          data-testid="audio-seek"
          onKeyDown={onSeekKey}
          onPointerDown={(event) => {
            dragging.current = true;
            event.currentTarget.setPointerCapture(event.pointerId);
            seekFromPointer(event);
          }}
          onPointerMove={(event) => {
            if (dragging.current) seekFromPointer(event);
          }}
          onPointerUp={() => {
            dragging.current = false;
          }}
          className={`relative flex cursor-pointer touch-none items-center overflow-hidden rounded focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus ${bars ? 'h-8 gap-[2px]' : 'h-4'}`}
        >
          {bars ? (
            bars.map((value, i) => (
              <span
                key={i}
                aria-hidden="true"
                className={`min-w-[2px] flex-1 rounded-full ${barHeightClass(value)} ${(i + 0.5) / bars.length <= progress ? 'bg-accent' : 'bg-line-strong'}`}
              />
            ))
          ) : (
            <span aria-hidden="true" className="relative h-1.5 w-full overflow-hidden rounded-full bg-line-strong">
              {/* Only ever set in the browser (0 until playing), where the CSSOM may set styles. */}
              {progress > 0 ? <span className="absolute inset-y-0 left-0 rounded-full bg-accent" style={{ width: `${progress * 100}%` }} /> : null}
            </span>
          )}
        </div>
      </div>
      {failed ? (
        <span role="alert" className="shrink-0 text-xs text-danger-fg">
          Can’t play
        </span>
      ) : (
        <span className="shrink-0 text-xs tabular-nums text-fg-muted" data-testid="audio-time">
          {shownTime}
        </span>
      )}
      {attachment.voice ? (
        <MicrophoneIcon aria-hidden="true" className="size-4 shrink-0 text-fg-subtle" />
      ) : (
        <DownloadButton
          attachment={attachment}
          label={`Download ${attachment.name} (${formatBytes(attachment.size)})`}
          className="shrink-0 rounded p-0.5 text-fg-subtle hover:text-link focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        />
      )}
      <audio
        ref={audio}
        src={attachment.url}
        preload="metadata"
        data-testid="audio-element"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => {
          setPlaying(false);
          setCurrent(0);
        }}
        onTimeUpdate={(event) => setCurrent(event.currentTarget.currentTime)}
        onLoadedMetadata={(event) => {
          const seconds = event.currentTarget.duration;
          if (Number.isFinite(seconds)) setMediaDuration(seconds);
        }}
        onDurationChange={(event) => {
          const seconds = event.currentTarget.duration;
          if (Number.isFinite(seconds)) setMediaDuration(seconds);
        }}
        onError={() => setFailed(true)}
        className="hidden"
      />
    </div>
  );
}
