'use client';
/**
 * The call this tab takes part in: a full-screen view (a modal dialog: Escape or "Back to chat" minimises
 * it) with a tile per participant, my own preview, the controls (mute, camera, devices, screen share, hang
 * up), the timer and the connection quality; minimised, a bar above the room with the timer, "Return to
 * call" and "Hang up". The others' sound plays from CallAudio either way.
 */
import {
  ChevronDownIcon,
  ComputerDesktopIcon,
  Cog6ToothIcon,
  MicrophoneIcon,
  PhoneIcon,
  PhoneXMarkIcon,
  VideoCameraIcon,
  VideoCameraSlashIcon,
} from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import * as Popover from '@radix-ui/react-popover';
import { useEffect, useId, useMemo, type ReactNode } from 'react';
import { create } from 'zustand';
import { callKindLabel, formatCallClock } from '@/lib/calls/describe';
import type { PeerSnapshot } from '@/lib/calls/peer-mesh';
import { worse, type Quality } from '@/lib/calls/quality';
import { startTone } from '@/lib/calls/ring-tone';
import { useConnectionStatus } from '@/lib/realtime/client';
import type { CallInfo, CallParticipant } from '@/lib/schemas/call';
import type { CurrentCall } from '@/lib/stores/calls';
import { findRoom, roomTitle } from '@/lib/stores/room-list';
import { MicrophoneSlashIcon } from '../icons';
import { useRooms } from '../rooms-context';
import { useNow } from '../use-window-active';
import { useCalls, useCallsMeId } from './calls-context';
import { Avatar, QualityMark, RemoteAudio, VideoTrack } from './media-elements';

/** Whether the call view is minimised (a bar above the room) — per tab, reset for every new call. */
export const useCallViewStore = create<{ minimized: boolean; setMinimized(minimized: boolean): void }>((set) => ({
  minimized: false,
  setMinimized: (minimized) => set({ minimized }),
}));

const NO_PEERS: Record<string, PeerSnapshot> = {};

interface CallModel {
  current: CurrentCall;
  call: CallInfo | undefined;
  /** "Call with Ann", "Video call in #design". */
  title: string;
  /** What the call is doing, when not simply running: "Ringing…", "Reconnecting…". */
  status: string | null;
  /** Since the first answer (ms), while active. */
  elapsedMs: number | null;
  others: CallParticipant[];
  quality: Quality | null;
}

/** Everything the view and the bar show about the current call. */
function useCallModel(): CallModel | null {
  const meId = useCallsMeId();
  const current = useCalls((s) => s.current);
  const call = useCalls((s) => (s.current?.callId ? s.calls[s.current.callId] : undefined));
  const peers = useCalls((s) => s.media?.peers);
  const room = useRooms((s) => (current ? findRoom(s, current.roomId) : undefined));
  const connection = useConnectionStatus();
  const now = useNow(1_000);
  return useMemo(() => {
    if (!current) return null;
    const others = (call?.participants ?? []).filter((p) => p.user.id !== meId && (p.state === 'joined' || p.state === 'invited'));
    const joinedOthers = others.filter((p) => p.state === 'joined');
    const title =
      room?.kind === 'direct' || (!room && others.length === 1)
        ? `Call with ${room ? roomTitle(room) : others[0]!.user.displayName}`
        : `${callKindLabel(current.kind)}${!room ? '' : room.kind === 'group' ? ` with ${roomTitle(room)}` : ` in #${roomTitle(room)}`}`;
    let status: string | null = null;
    if (current.phase === 'starting') status = current.callId ? 'Joining…' : 'Starting…';
    else if (current.phase === 'reconnecting' || connection !== 'connected') status = 'Reconnecting…';
    else if (joinedOthers.length === 0) status = others.length > 0 ? 'Ringing…' : 'Waiting for others…';
    const answeredAt = call?.answeredAt ? Date.parse(call.answeredAt) : null;
    const elapsedMs = answeredAt !== null && call?.state === 'active' ? Math.max(0, now - answeredAt) : null;
    const qualities = Object.values(peers ?? {}).flatMap((p) => (p.quality && p.connection === 'connected' ? [p.quality] : []));
    const quality = qualities.length ? qualities.reduce((a, b) => (worse(a.level, b.level) === a.level ? a : b)) : null;
    return { current, call, title, status, elapsedMs, others, quality };
  }, [current, call, peers, room, connection, now, meId]);
}

/** The others' sound, and the ringback while the call rings for them; mounted for as long as this tab is in a call. */
export function CallAudio() {
  const peers = useCalls((s) => s.media?.peers);
  const meId = useCallsMeId();
  const waiting = useCalls((s) => {
    const call = s.current?.callId ? s.calls[s.current.callId] : undefined;
    if (!call || s.current?.phase !== 'joined') return false;
    const others = call.participants.filter((p) => p.user.id !== meId);
    return others.some((p) => p.state === 'invited') && !others.some((p) => p.state === 'joined');
  });
  useEffect(() => (waiting ? startTone('ringback') : undefined), [waiting]);
  return (
    <>
      {Object.values(peers ?? {}).map((peer) => (peer.audio ? <RemoteAudio key={peer.userId} track={peer.audio} /> : null))}
    </>
  );
}

/** The minimised call: a bar above the room. */
export function CallBar() {
  const model = useCallModel();
  const minimized = useCallViewStore((s) => s.minimized);
  const setMinimized = useCallViewStore((s) => s.setMinimized);
  const hangup = useCalls((s) => s.hangup);
  if (!model || !minimized) return null;
  return (
    <div data-testid="call-bar" role="region" aria-label="Current call" className="flex flex-wrap items-center gap-2 border-b border-emerald-200 bg-emerald-50 px-3 py-1.5 text-sm text-emerald-950 sm:px-4">
      <PhoneIcon aria-hidden className="size-4 shrink-0 text-emerald-700" />
      <span className="min-w-0 flex-1 truncate font-medium">{model.title}</span>
      <span className="tabular-nums" aria-live="off">
        {model.status ?? (model.elapsedMs !== null ? formatCallClock(model.elapsedMs) : '')}
      </span>
      <button type="button" onClick={() => setMinimized(false)} className="rounded-md border border-emerald-300 bg-white px-2 py-0.5 font-medium hover:bg-emerald-100">
        Return to call
      </button>
      <button type="button" onClick={() => void hangup()} className="rounded-md bg-red-700 px-2 py-0.5 font-medium text-white hover:bg-red-800">
        Hang up
      </button>
    </div>
  );
}

/** The full call view. */
export function CallView() {
  const model = useCallModel();
  const callId = model?.current.callId ?? null;
  const minimized = useCallViewStore((s) => s.minimized);
  const setMinimized = useCallViewStore((s) => s.setMinimized);
  // Every call opens full.
  useEffect(() => setMinimized(false), [callId, setMinimized]);
  if (!model) return null;
  return (
    <Dialog.Root open={!minimized} onOpenChange={(open) => setMinimized(!open)}>
      <Dialog.Portal>
        <Dialog.Content
          data-testid="call-view"
          data-phase={model.current.phase}
          data-state-call={model.call?.state ?? 'starting'}
          aria-describedby={undefined}
          className="fixed inset-0 z-40 flex flex-col bg-slate-950 text-white focus:outline-none md:inset-4 md:rounded-2xl md:shadow-2xl"
        >
          <CallHeader model={model} onMinimize={() => setMinimized(true)} />
          <Stage model={model} />
          <Controls model={model} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function CallHeader({ model, onMinimize }: { model: CallModel; onMinimize(): void }) {
  return (
    <div className="flex items-center gap-2 px-3 pb-2 pt-3 sm:px-4">
      <div className="min-w-0 flex-1">
        <Dialog.Title className="truncate text-base font-semibold">{model.title}</Dialog.Title>
        <p className="flex flex-wrap items-center gap-x-3 text-sm text-slate-300">
          <span data-testid="call-status" role="status" className="tabular-nums">
            {model.status ?? (model.elapsedMs !== null ? <span data-testid="call-timer">{formatCallClock(model.elapsedMs)}</span> : callKindLabel(model.current.kind))}
          </span>
          {model.quality ? <QualityMark quality={model.quality} showText /> : null}
        </p>
      </div>
      <button
        type="button"
        onClick={onMinimize}
        className="flex shrink-0 items-center gap-1 rounded-md px-2 py-1.5 text-sm text-slate-200 hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white"
      >
        <ChevronDownIcon aria-hidden className="size-4" />
        Back to chat
      </button>
    </div>
  );
}

function Stage({ model }: { model: CallModel }) {
  const peers = useCalls((s) => s.media?.peers) ?? NO_PEERS;
  const local = useCalls((s) => s.media?.local);
  const problem = local?.problem ?? null;
  const count = model.others.length;
  const columns = count <= 1 ? 'grid-cols-1' : 'grid-cols-1 sm:grid-cols-2';
  return (
    <div className="relative flex min-h-0 flex-1 flex-col px-2 sm:px-4">
      {problem ? (
        <p role="alert" className="mb-2 rounded-md bg-amber-100 px-3 py-1.5 text-sm text-amber-950">
          {problem}
        </p>
      ) : null}
      <ul aria-label="Participants" className={`grid min-h-0 flex-1 auto-rows-fr gap-2 ${columns}`}>
        {count === 0 ? (
          <li className="flex items-center justify-center rounded-xl bg-slate-900 text-slate-300">{model.status ?? 'Nobody else is here yet.'}</li>
        ) : (
          model.others.map((p) => <Tile key={p.user.id} participant={p} peer={peers[p.user.id]} kind={model.current.kind} />)
        )}
      </ul>
      <LocalPreview kind={model.current.kind} />
    </div>
  );
}

function Tile({ participant, peer, kind }: { participant: CallParticipant; peer: PeerSnapshot | undefined; kind: CallInfo['kind'] }) {
  const { user, media } = participant;
  const ringing = participant.state === 'invited';
  const showVideo = !ringing && (media.video || media.screen) && peer?.video;
  let overlay: string | null = null;
  if (ringing) overlay = 'Ringing…';
  else if (participant.reconnecting || peer?.connection === 'disconnected' || peer?.connection === 'failed') overlay = 'Reconnecting…';
  else if (!peer || peer.connection === 'new' || peer.connection === 'connecting') overlay = 'Connecting…';
  return (
    <li
      data-testid="call-tile"
      data-user={user.username}
      data-connection={peer?.connection ?? 'none'}
      data-muted={!media.audio || undefined}
      className={`relative flex min-h-32 items-center justify-center overflow-hidden rounded-xl bg-slate-800 ${ringing ? 'opacity-80' : ''}`}
    >
      {showVideo && peer?.video ? (
        <VideoTrack track={peer.video} fit={media.screen ? 'contain' : 'cover'} label={`${user.displayName}${media.screen ? "'s screen" : "'s camera"}`} />
      ) : (
        <Avatar name={user.displayName} />
      )}
      {overlay ? (
        <span data-testid="tile-status" className="absolute inset-x-0 top-2 mx-auto w-fit rounded-full bg-slate-950/80 px-2.5 py-0.5 text-xs text-slate-100">
          {overlay}
        </span>
      ) : null}
      <span className="absolute bottom-2 left-2 flex max-w-[calc(100%-1rem)] items-center gap-1.5 rounded-md bg-slate-950/80 px-2 py-0.5 text-sm">
        <span className="truncate">{user.displayName}</span>
        {!ringing && !media.audio ? <MicrophoneSlashIcon role="img" aria-hidden={false} aria-label="Muted" className="size-4 shrink-0 text-red-300" /> : null}
        {!ringing && kind === 'video' && !media.video && !media.screen ? (
          <VideoCameraSlashIcon role="img" aria-hidden={false} aria-label="Camera off" className="size-4 shrink-0 text-slate-300" />
        ) : null}
        {media.screen ? <ComputerDesktopIcon role="img" aria-hidden={false} aria-label="Sharing their screen" className="size-4 shrink-0 text-sky-300" /> : null}
        {peer?.quality && peer.connection === 'connected' ? <QualityMark quality={peer.quality} /> : null}
      </span>
    </li>
  );
}

function LocalPreview({ kind }: { kind: CallInfo['kind'] }) {
  const local = useCalls((s) => s.media?.local);
  const track = local?.screen ?? local?.camera ?? null;
  if (!local || (kind === 'audio' && !track)) return null;
  return (
    <div
      data-testid="local-preview"
      className="absolute right-4 top-2 flex aspect-video w-28 items-center justify-center overflow-hidden rounded-lg bg-slate-800 shadow-lg ring-2 ring-slate-700 sm:bottom-2 sm:right-6 sm:top-auto sm:w-48"
    >
      {track ? <VideoTrack track={track} mirror={!local.screen} fit={local.screen ? 'contain' : 'cover'} label={local.screen ? 'Your screen' : 'Your camera'} /> : <Avatar name="You" size="sm" />}
      <span className="absolute bottom-1 left-1 flex items-center gap-1 rounded bg-slate-950/80 px-1.5 text-xs">
        You
        {local.muted ? <MicrophoneSlashIcon aria-hidden className="size-3.5 text-red-300" /> : null}
      </span>
    </div>
  );
}

function ControlButton({
  label,
  pressed,
  onClick,
  tone = 'neutral',
  children,
  testId,
  disabled = false,
}: {
  label: string;
  pressed?: boolean;
  onClick(): void;
  tone?: 'neutral' | 'danger';
  children: ReactNode;
  testId: string;
  disabled?: boolean;
}) {
  const colours =
    tone === 'danger'
      ? 'bg-red-700 text-white hover:bg-red-800'
      : pressed
        ? 'bg-white text-slate-900 hover:bg-slate-200'
        : 'bg-slate-800 text-white hover:bg-slate-700';
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
      className={`flex h-12 w-12 items-center justify-center rounded-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white focus-visible:ring-offset-2 focus-visible:ring-offset-slate-950 disabled:opacity-50 ${colours}`}
    >
      {children}
    </button>
  );
}

function Controls({ model }: { model: CallModel }) {
  const local = useCalls((s) => s.media?.local);
  const setMuted = useCalls((s) => s.setMuted);
  const setCamera = useCalls((s) => s.setCamera);
  const setScreen = useCalls((s) => s.setScreen);
  const hangup = useCalls((s) => s.hangup);
  const muted = local?.muted ?? false;
  const cameraOn = Boolean(local?.camera);
  const sharing = Boolean(local?.screen);
  const ready = Boolean(local);
  return (
    <div role="toolbar" aria-label="Call controls" className="flex flex-wrap items-center justify-center gap-3 px-3 pb-4 pt-3">
      <ControlButton label="Mute" testId="call-mute" pressed={muted} disabled={!ready || !local?.microphone} onClick={() => setMuted(!muted)}>
        {muted ? <MicrophoneSlashIcon className="size-5" /> : <MicrophoneIcon aria-hidden className="size-5" />}
      </ControlButton>
      {model.current.kind === 'video' ? (
        <ControlButton label="Camera off" testId="call-camera" pressed={!cameraOn} disabled={!ready} onClick={() => void setCamera(!cameraOn)}>
          {cameraOn ? <VideoCameraIcon aria-hidden className="size-5" /> : <VideoCameraSlashIcon aria-hidden className="size-5" />}
        </ControlButton>
      ) : null}
      {local?.canShareScreen ? (
        <ControlButton label="Share screen" testId="call-screen" pressed={sharing} disabled={!ready} onClick={() => void setScreen(!sharing)}>
          <ComputerDesktopIcon aria-hidden className="size-5" />
        </ControlButton>
      ) : null}
      <DevicesMenu kind={model.current.kind} />
      <ControlButton label="Hang up" testId="call-hangup" tone="danger" onClick={() => void hangup()}>
        <PhoneXMarkIcon aria-hidden className="size-5" />
      </ControlButton>
    </div>
  );
}

function DevicesMenu({ kind }: { kind: CallInfo['kind'] }) {
  const local = useCalls((s) => s.media?.local);
  const selectDevice = useCalls((s) => s.selectDevice);
  const ids = useId();
  if (!local) return null;
  const selectClass =
    'mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30';
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <button
          type="button"
          aria-label="Choose microphone and camera"
          title="Choose microphone and camera"
          data-testid="call-devices"
          className="flex h-12 w-12 items-center justify-center rounded-full bg-slate-800 text-white hover:bg-slate-700 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white focus-visible:ring-offset-2 focus-visible:ring-offset-slate-950"
        >
          <Cog6ToothIcon aria-hidden className="size-5" />
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content aria-label="Microphone and camera" side="top" sideOffset={8} collisionPadding={8} className="z-50 w-72 max-w-[calc(100vw-1rem)] rounded-lg bg-white p-3 text-slate-900 shadow-xl">
          <label htmlFor={`${ids}-mic`} className="block text-sm font-medium">
            Microphone
          </label>
          <select id={`${ids}-mic`} className={selectClass} value={local.microphoneId ?? ''} onChange={(e) => void selectDevice('microphone', e.target.value)}>
            {local.microphones.length === 0 ? <option value="">No microphone found</option> : null}
            {local.microphones.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label}
              </option>
            ))}
          </select>
          {kind === 'video' ? (
            <>
              <label htmlFor={`${ids}-cam`} className="mt-3 block text-sm font-medium">
                Camera
              </label>
              <select id={`${ids}-cam`} className={selectClass} value={local.cameraId ?? ''} onChange={(e) => void selectDevice('camera', e.target.value)}>
                {local.cameras.length === 0 ? <option value="">No camera found</option> : null}
                {local.cameras.map((d) => (
                  <option key={d.deviceId} value={d.deviceId}>
                    {d.label}
                  </option>
                ))}
              </select>
            </>
          ) : null}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
