'use client';
/**
 * The parts of calling that a room shows without being asked: the banner over a room with a live call, and
 * "Call back" on a call's timeline entry. The header's start buttons and invite picker (./call-buttons.tsx)
 * are fetched after the first paint.
 */
import { PhoneIcon, VideoCameraIcon } from '@heroicons/react/20/solid';
import type { ReactNode } from 'react';
import { callKindLabel } from '@/lib/calls/describe';
import { CALL_MAX_PARTICIPANTS } from '@/lib/schemas/limits';
import type { CallEntry } from '@/lib/schemas/call';
import type { RoomSummary } from '@/lib/schemas/room';
import { canJoin, joinedIds, liveCallIn, participantOf } from '@/lib/stores/calls';
import { useMe, useRoom } from '../room-context';
import { useCalls } from './calls-context';

/** Whom a call in this room rings without asking: everyone else (direct rooms, rooms of at most four). */
export function ringsEveryone(room: Pick<RoomSummary, 'kind' | 'memberCount'>, memberCount: number): boolean {
  return room.kind === 'direct' || Math.max(room.memberCount, memberCount) <= CALL_MAX_PARTICIPANTS;
}

export const KIND_ICON = { audio: PhoneIcon, video: VideoCameraIcon } as const;

/** "Video call in progress · 2 in the call · Join" over a room with a live call this tab is not in. */
export function CallBanner() {
  const room = useRoom((s) => s.room);
  const me = useMe();
  const call = useCalls((s) => liveCallIn(s.calls, room.id));
  const current = useCalls((s) => s.current);
  const pending = useCalls((s) => s.pending);
  const accept = useCalls((s) => s.accept);
  if (!call || current?.callId === call.id) return null;
  const mine = participantOf(call, me.id);
  const count = joinedIds(call).length;
  const what = call.state === 'ringing' ? `${call.caller.displayName} is calling` : `${callKindLabel(call.kind)} in progress`;
  let action: ReactNode = null;
  if (mine?.state === 'joined') action = <span className="text-success-fg">You are in this call on another tab or device.</span>;
  else if (canJoin(call, me.id)) {
    action = (
      <button
        type="button"
        data-testid="join-call"
        disabled={current !== null || pending === call.id}
        title={current ? 'You are in another call' : undefined}
        onClick={() => void accept(call.id)}
        className="rounded-md bg-emerald-700 px-3 py-1 font-medium text-white hover:bg-emerald-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 focus-visible:ring-offset-2 disabled:opacity-60"
      >
        Join
      </button>
    );
  } else action = <span className="text-success-fg">The call is full.</span>;
  const Icon = KIND_ICON[call.kind];
  return (
    <div data-testid="call-banner" role="region" aria-label="Call in this room" className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-success-line bg-success-soft px-3 py-1.5 text-sm sm:px-4">
      <Icon aria-hidden className="size-4 shrink-0 text-success-fg" />
      <span className="min-w-0 flex-1 text-success-fg">
        <strong className="font-semibold">{what}</strong> · {count} in the call
      </span>
      {action}
    </div>
  );
}

/**
 * "Call back" from an entry: the same kind of call in the same room. A room too big to ring everyone rings
 * the people of that call (the ones who took part, else its caller), up to three.
 */
export function useCallBack(entry: Pick<CallEntry, 'kind' | 'participantIds'>, callerId: string) {
  const room = useRoom((s) => s.room);
  const members = useRoom((s) => s.members);
  const me = useMe();
  const start = useCalls((s) => s.start);
  const inCall = useCalls((s) => s.current !== null);
  const live = useCalls((s) => liveCallIn(s.calls, room.id) !== null);
  const memberIds = new Set(members.map((m) => m.user.id));
  const invite = ringsEveryone(room, members.length)
    ? undefined
    : [...new Set([...entry.participantIds, callerId])].filter((id) => id !== me.id && memberIds.has(id)).slice(0, CALL_MAX_PARTICIPANTS - 1);
  const possible = !inCall && !live && (invite === undefined || invite.length > 0) && (room.kind === 'direct' || members.length > 1);
  return { possible, callBack: () => void start(room.id, entry.kind, invite) };
}
