'use client';
/** The small pieces the call view is made of: a track on screen or speaker, an avatar, the quality mark. */
import { SignalIcon, SignalSlashIcon } from '@heroicons/react/20/solid';
import { useEffect, useRef } from 'react';
import type { Quality, QualityLevel } from '@/lib/calls/quality';

/** A video track, silent (sound plays through RemoteAudio, so hiding a picture never cuts the sound). */
export function VideoTrack({ track, mirror = false, fit = 'cover', label }: { track: MediaStreamTrack; mirror?: boolean; fit?: 'cover' | 'contain'; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = new MediaStream([track]);
    video.play().catch(() => undefined); // muted video may always play; a failure only leaves a still picture
    return () => {
      video.srcObject = null;
    };
  }, [track]);
  return (
    <video
      ref={ref}
      aria-label={label}
      data-testid="call-video"
      autoPlay
      playsInline
      muted
      className={`h-full w-full ${fit === 'cover' ? 'object-cover' : 'object-contain'} ${mirror ? '-scale-x-100' : ''}`}
    />
  );
}

/** Another participant's sound. Kept playing while the call view is minimised. */
export function RemoteAudio({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    audio.play().catch(() => undefined); // blocked until the page is interacted with: autoplay retries then
    return () => {
      audio.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoPlay data-testid="call-audio" className="hidden" />;
}

export function Avatar({ name, size = 'lg' }: { name: string; size?: 'sm' | 'lg' }) {
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <span
      aria-hidden="true"
      className={`flex shrink-0 select-none items-center justify-center rounded-full bg-accent font-semibold text-white ${
        size === 'lg' ? 'h-16 w-16 text-2xl sm:h-20 sm:w-20 sm:text-3xl' : 'h-9 w-9 text-base'
      }`}
    >
      {initial}
    </span>
  );
}

const QUALITY_WORDS: Record<QualityLevel, string> = { good: 'Good connection', fair: 'Fair connection', poor: 'Poor connection' };
/** Colours for the call view's dark surface (contrast checked against slate-900/950). */
const QUALITY_TONE: Record<QualityLevel, string> = { good: 'text-emerald-300', fair: 'text-amber-300', poor: 'text-red-300' };

export function qualityDetail(quality: Quality): string {
  const parts = [
    quality.rttMs !== null ? `round trip ${quality.rttMs} ms` : null,
    `loss ${quality.lossPercent} %`,
    quality.jitterMs !== null ? `jitter ${quality.jitterMs} ms` : null,
  ].filter(Boolean);
  return `${QUALITY_WORDS[quality.level]}: ${parts.join(', ')}`;
}

/** Good / fair / poor, as an icon with its words for screen readers and a tooltip with the figures. */
export function QualityMark({ quality, showText = false }: { quality: Quality; showText?: boolean }) {
  const Icon = quality.level === 'poor' ? SignalSlashIcon : SignalIcon;
  const detail = qualityDetail(quality);
  return (
    <span data-testid="call-quality" data-level={quality.level} title={detail} className={`inline-flex items-center gap-1 text-xs ${QUALITY_TONE[quality.level]}`}>
      <Icon aria-hidden className="size-4 shrink-0" />
      <span className={showText ? '' : 'sr-only'}>{showText ? QUALITY_WORDS[quality.level] : detail}</span>
      {showText ? <span className="sr-only">{detail.slice(QUALITY_WORDS[quality.level].length)}</span> : null}
    </span>
  );
}
