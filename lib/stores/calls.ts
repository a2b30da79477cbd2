/**
 * Calls, as this tab sees them (docs/protocol.md §4.12): the live calls of my rooms (call:list after every
 * (re)connect, then call:updated), the calls ringing me (call:ring, until another tab of mine answers or
 * declines, the call ends, or ringUntil), and the one call this tab takes part in — started, answered or
 * joined here — whose media a CallEngine (lib/calls/engine.ts) carries. One store per signed-in tab,
 * created by the chat shell and fed by the main socket.
 *
 * Taking part: the microphone (and camera) open first, so a refused device never rings anyone; then
 * call:start / call:accept; the ack's ICE servers start the engine, which offers to everyone already
 * joined (the newcomer offers). After a reconnect: call:resume, then an ICE restart towards every joined
 * participant. When the page goes away: a beacon to POST /api/calls/:id/hangup (the socket is closing).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { callOutcomeText } from '../calls/describe';
import type { Ack } from '../errors';
import type { CallEngine, EngineOptions, EngineSnapshot } from '../calls/engine';
import type { CallRequests } from '../realtime/client';
import { CALL_MAX_PARTICIPANTS, CALL_RING_MS } from '../schemas/limits';
import type { CallInfo, CallJoined, CallKind, CallMedia, CallParticipant, IceServer, RelayedSignal } from '../schemas/call';

/**
 * - starting: opening the microphone/camera, or waiting for the server's answer
 * - joined: in the call (the others may still be ringing)
 * - reconnecting: the tab's connection to the server dropped; the media may well still flow
 */
export type CallPhase = 'starting' | 'joined' | 'reconnecting';

export interface CurrentCall {
  /** Null until the server answered call:start. */
  callId: string | null;
  roomId: string;
  kind: CallKind;
  phase: CallPhase;
}

export interface CallNotice {
  /** Unique per notice (a screen reader hears a repeated text again). */
  id: number;
  callId: string | null;
  roomId: string | null;
  text: string;
  /** missed: a call I did not answer; error: something I asked for did not work. */
  tone: 'info' | 'missed' | 'error';
}

export interface CallsState {
  /** Live calls of my rooms, and those that ended lately, by id: the server's latest word on each. */
  calls: Record<string, CallInfo>;
  /** Calls ringing this tab: call id → until when (this tab's clock). */
  ringing: Record<string, number>;
  /** The call this tab takes part in. */
  current: CurrentCall | null;
  /** Local media and connections of the current call. */
  media: EngineSnapshot | null;
  notice: CallNotice | null;
  /** A start, accept or decline is on its way (its button waits). */
  pending: string | null;
}

export interface CallsActions {
  /** Calls in a room (or joins its live call: the server treats that as an answer). `invite`: other rooms, whom to ring. */
  start(roomId: string, kind: CallKind, invite?: string[]): Promise<void>;
  /** Answers a call that rings me, or joins a room's live call. */
  accept(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  /** Leaves the current call (the caller before an answer: cancels it). */
  hangup(): Promise<void>;
  setMuted(muted: boolean): void;
  setCamera(on: boolean): Promise<void>;
  setScreen(on: boolean): Promise<void>;
  selectDevice(kind: 'microphone' | 'camera', deviceId: string): Promise<void>;
  dismissNotice(): void;
  /** The page is being closed or reloaded while in a call: hang up over HTTP (sendBeacon). */
  leaveOnUnload(): void;
}

/** How the chat shell feeds the store from the tab's main socket. */
export interface CallsBinding {
  attach(requests: CallRequests): void;
  detach(): void;
  /** The tab leaves the chat (signed out): the call's media stops, timers end. */
  dispose(): void;
  /** `session:ready`: connected (again) — list the live calls, resume the current one. */
  onReady(): void;
  /** The main socket dropped. */
  onDisconnect(): void;
  onRing(call: CallInfo): void;
  onUpdated(call: CallInfo): void;
  onSignal(signal: RelayedSignal): void;
}

export interface CallsStoreDeps {
  meId: string;
  openEngine(options: EngineOptions): Promise<CallEngine>;
  /** navigator.sendBeacon. */
  beacon(url: string, body: Blob): boolean;
  now?(): number;
  ackTimeoutMs?: number;
  /** Between call:resume attempts that got no answer (the server keeps the place for CALL_RECONNECT_GRACE_MS). */
  resumeRetryMs?: number;
  /** ICE servers older than this are renewed (call:resume from this tab) before an ICE restart. */
  iceServersMaxAgeMs?: number;
}

export type CallsStore = StoreApi<CallsState & CallsActions> & { binding: CallsBinding };

// ── Pure helpers (also for components) ──

const STATE_RANK: Record<CallInfo['state'], number> = { ringing: 0, active: 1, ended: 2 };

/** Whether `incoming` may replace `held`: a call never goes back from ended, nor from active to ringing. */
export function isNotOlder(held: CallInfo | undefined, incoming: CallInfo): boolean {
  return !held || STATE_RANK[incoming.state] >= STATE_RANK[held.state];
}

export function participantOf(call: CallInfo, userId: string): CallParticipant | undefined {
  return call.participants.find((p) => p.user.id === userId);
}

export function joinedIds(call: CallInfo): string[] {
  return call.participants.filter((p) => p.state === 'joined').map((p) => p.user.id);
}

export function isLive(call: CallInfo): boolean {
  return call.state !== 'ended';
}

/** The live call of a room, if any (a room has at most one). */
export function liveCallIn(calls: Record<string, CallInfo>, roomId: string): CallInfo | null {
  for (const call of Object.values(calls)) if (call.roomId === roomId && isLive(call)) return call;
  return null;
}

/** Whether I may join this live call from here (not in it, and it has room). */
export function canJoin(call: CallInfo, meId: string): boolean {
  if (!isLive(call)) return false;
  if (participantOf(call, meId)?.state === 'joined') return false;
  return joinedIds(call).length < CALL_MAX_PARTICIPANTS;
}

/**
 * Until when a call rings, on this tab's clock. A fresh call:ring rings for the call's own ring window
 * (ringUntil − createdAt, both the server's clock) from now, so a skewed clock neither cuts it short nor
 * drags it on; a ringing call learned from call:list rings until its ringUntil (at most CALL_RING_MS).
 */
export function ringDeadline(call: CallInfo, now: number, fresh: boolean): number {
  const window = Math.min(CALL_RING_MS, Math.max(0, Date.parse(call.ringUntil) - Date.parse(call.createdAt)));
  if (fresh) return now + (Number.isFinite(window) ? window : CALL_RING_MS);
  const left = Date.parse(call.ringUntil) - now;
  return now + Math.min(CALL_RING_MS, Math.max(0, Number.isFinite(left) ? left : 0));
}

/** The other person when a call has exactly one (a direct conversation), for the outcome's wording. */
function calleeName(call: CallInfo, meId: string): string | undefined {
  const others = call.participants.filter((p) => p.user.id !== meId);
  return others.length === 1 ? others[0]!.user.displayName : undefined;
}

const sameMedia = (a: CallMedia | null, b: CallMedia) => a !== null && a.audio === b.audio && a.video === b.video && a.screen === b.screen;

/** Ended calls kept (so late updates of them are recognised as old); the oldest go first. */
const ENDED_KEPT = 50;

export function createCallsStore(deps: CallsStoreDeps): CallsStore {
  const { meId } = deps;
  const now = deps.now ?? Date.now;
  const ackTimeoutMs = deps.ackTimeoutMs ?? 10_000;
  const resumeRetryMs = deps.resumeRetryMs ?? 2_000;
  // TURN credentials last TURN_CREDENTIAL_TTL_SECONDS (4 h by default, at least 60 s): renewing after an
  // hour keeps a restart's new relay allocation within their life for any sensible setting.
  const iceServersMaxAgeMs = deps.iceServersMaxAgeMs ?? 60 * 60 * 1000;

  let requests: CallRequests | null = null;
  let engine: CallEngine | null = null;
  let unsubscribeEngine: (() => void) | null = null;
  /** What call:media last said (null: nothing yet for this call). */
  let reported: CallMedia | null = null;
  /** The beacon went out for this call (pagehide and beforeunload both fire). */
  let beaconFor: string | null = null;
  const ringTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Calls that rang this tab and were not answered or declined here (a "missed call" notice when they end so). */
  const rang = new Set<string>();
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;
  let mediaRetryTimer: ReturnType<typeof setTimeout> | undefined;
  let noticeSeq = 0;
  /** When the current call's ICE servers were handed out (this tab's clock). */
  let iceServersAt = 0;
  let refreshing: Promise<IceServer[] | null> | null = null;

  // The helpers below run only once the store exists (created at the end).
  const get = () => store.getState();
  const set = (patch: Partial<CallsState>) => store.setState(patch);

  function notify(text: string, tone: CallNotice['tone'], call?: Pick<CallInfo, 'id' | 'roomId'>): void {
    noticeSeq += 1;
    set({ notice: { id: noticeSeq, callId: call?.id ?? null, roomId: call?.roomId ?? null, text, tone } });
  }

  function failText(error: unknown): string {
    return error instanceof Error && error.message === 'not connected'
      ? 'You are offline. Try again when the connection is back.'
      : 'The server did not answer. Try again.';
  }

  function stopRinging(callId: string): void {
    clearTimeout(ringTimers.get(callId));
    ringTimers.delete(callId);
    if (!(callId in get().ringing)) return;
    const { [callId]: _, ...rest } = get().ringing;
    set({ ringing: rest });
  }

  function ring(call: CallInfo, fresh: boolean): void {
    if (get().current?.callId === call.id || call.id in get().ringing) return;
    const until = ringDeadline(call, now(), fresh);
    if (until <= now()) return;
    rang.add(call.id);
    set({ ringing: { ...get().ringing, [call.id]: until } });
    ringTimers.set(call.id, setTimeout(() => stopRinging(call.id), until - now()));
  }

  /** Keeps the server's latest word on a call; returns false for one older than what is held. */
  function remember(call: CallInfo): boolean {
    const held = get().calls[call.id];
    if (!isNotOlder(held, call)) return false;
    let calls = { ...get().calls, [call.id]: call };
    const ended = Object.values(calls).filter((c) => !isLive(c));
    if (ended.length > ENDED_KEPT) {
      ended.sort((a, b) => Date.parse(a.endedAt ?? a.createdAt) - Date.parse(b.endedAt ?? b.createdAt));
      calls = { ...calls };
      for (const old of ended.slice(0, ended.length - ENDED_KEPT)) delete calls[old.id];
    }
    set({ calls });
    return true;
  }

  /** A call's new state: the calls list, ringing, and the current call's connections or end. */
  function apply(call: CallInfo): void {
    if (!remember(call)) return;
    const mine = participantOf(call, meId);
    if (call.state === 'ended' || mine?.state !== 'invited') {
      stopRinging(call.id);
      // It rang here and nobody answered it (answered or declined in another tab: nothing to say).
      if (rang.delete(call.id) && (mine?.state === 'missed' || mine?.state === 'invited')) {
        notify(`Missed call from ${call.caller.displayName}`, 'missed', call);
      }
    }
    const current = get().current;
    if (current?.callId !== call.id) return;
    if (call.state === 'ended') return finish(call);
    if (current.phase === 'starting') return; // the answer to accept is on its way
    if (mine?.state !== 'joined') {
      // Away too long (the server gave the place up), or hung up from another tab or device.
      return finish(null, current.phase === 'reconnecting' ? 'You were disconnected from the call.' : 'You left the call (from another tab or device).');
    }
    engine?.keepOnly(joinedIds(call));
  }

  /** This tab is out of its call: media off, and a notice with the outcome. */
  function finish(ended: CallInfo | null, text?: string): void {
    clearTimeout(resumeTimer);
    clearTimeout(mediaRetryTimer);
    unsubscribeEngine?.();
    unsubscribeEngine = null;
    engine?.close();
    engine = null;
    reported = null;
    set({ current: null, media: null });
    const outcome = ended ? callOutcomeText(ended, { isCaller: ended.caller.id === meId, calleeName: calleeName(ended, meId) }) : null;
    const message = text ?? outcome;
    if (message) notify(message, ended && ended.endReason !== 'completed' ? 'missed' : 'info', ended ?? undefined);
  }

  function reportMedia(): void {
    const current = get().current;
    if (!engine || !current?.callId || current.phase !== 'joined' || !requests?.connected) return;
    const media = engine.media();
    if (sameMedia(reported, media)) return;
    reported = media;
    const callId = current.callId;
    // Not taken (rate limited, no answer): say it again shortly, so the others do not keep a stale icon.
    const retry = () => {
      if (get().current?.callId !== callId) return;
      reported = null;
      clearTimeout(mediaRetryTimer);
      mediaRetryTimer = setTimeout(reportMedia, resumeRetryMs);
    };
    requests
      .send('call:media', { callId, ...media }, ackTimeoutMs)
      .then((ack) => (ack.ok ? apply(ack.data.call) : retry()), retry);
  }

  /** The engine's signals, relayed through the server (nothing is queued while offline: ICE restarts after). */
  function relay(signal: { to: string; description?: { type: 'offer' | 'answer'; sdp: string }; candidate?: RTCIceCandidateInit | null }): void {
    const callId = get().current?.callId;
    if (!callId || !requests?.connected) return;
    const payload =
      signal.description !== undefined
        ? { callId, to: signal.to, description: signal.description }
        : { callId, to: signal.to, candidate: signal.candidate === null || signal.candidate === undefined ? null : candidateInit(signal.candidate) };
    requests.send('call:signal', payload, ackTimeoutMs).catch(() => undefined);
  }

  /**
   * Fresh ICE servers before an ICE restart, when those held are old: call:resume from this very tab
   * answers with new TURN credentials (protocol §4.12). One request for every connection restarting.
   */
  function refreshIceServers(): Promise<IceServer[] | null> {
    const current = get().current;
    if (!current?.callId || current.phase !== 'joined' || !requests?.connected || now() - iceServersAt < iceServersMaxAgeMs) {
      return Promise.resolve(null);
    }
    const callId = current.callId;
    refreshing ??= requests
      .send('call:resume', { callId }, ackTimeoutMs)
      .then(
        (ack) => {
          if (!ack.ok || get().current?.callId !== callId) return null;
          iceServersAt = now();
          apply(ack.data.call);
          return ack.data.iceServers;
        },
        () => null,
      )
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  /** Opens the microphone/camera for a call about to start here; null (and a notice) when it cannot. */
  async function openMedia(current: CurrentCall): Promise<CallEngine | null> {
    let opened: CallEngine;
    try {
      opened = await deps.openEngine({ kind: current.kind, selfId: meId, send: relay, refreshIceServers });
    } catch (error) {
      if (get().current === current) set({ current: null });
      notify(error instanceof Error ? error.message : 'Could not open your microphone.', 'error');
      return null;
    }
    if (get().current !== current) {
      opened.close(); // hung up while the browser asked
      return null;
    }
    engine = opened;
    unsubscribeEngine = opened.subscribe(() => {
      if (engine !== opened) return;
      set({ media: opened.snapshot() });
      reportMedia();
    });
    set({ media: opened.snapshot() });
    return opened;
  }

  /** The server's answer to start/accept: in the call (or it ended at once: nobody could be rung). */
  function joined(current: CurrentCall, data: CallJoined): void {
    const { call, iceServers } = data;
    if (get().current !== current) {
      // Hung up while the answer was on its way: leave at once.
      void requests?.send('call:hangup', { callId: call.id }, ackTimeoutMs).then((ack) => ack.ok && apply(ack.data.call), () => undefined);
      return;
    }
    const next: CurrentCall = { ...current, callId: call.id, kind: call.kind, roomId: call.roomId, phase: call.state === 'ended' ? current.phase : 'joined' };
    set({ current: next });
    stopRinging(call.id);
    apply(call);
    if (get().current !== next) return; // ended at once (busy, unavailable) or not mine
    iceServersAt = now();
    engine?.join(iceServers, joinedIds(call).filter((id) => id !== meId));
    reportMedia();
  }

  async function enter(current: CurrentCall, request: () => Promise<Ack<CallJoined>>): Promise<void> {
    // How the previous call ended is old news now.
    set({ current, pending: current.callId ?? 'start', notice: null });
    try {
      if (!(await openMedia(current))) return;
      let ack: Ack<CallJoined>;
      try {
        ack = await request();
      } catch (error) {
        if (get().current === current) finish(null, failText(error));
        return;
      }
      if (!ack.ok) {
        if (get().current === current) finish(null);
        notify(ack.error.message, 'error');
        return;
      }
      joined(current, ack.data);
    } finally {
      set({ pending: null });
    }
  }

  async function resume(): Promise<void> {
    clearTimeout(resumeTimer);
    const current = get().current;
    if (!current?.callId || !requests?.connected) return;
    const callId = current.callId;
    set({ current: { ...current, phase: 'reconnecting' } });
    let ack: Ack<CallJoined>;
    try {
      ack = await requests.send('call:resume', { callId }, ackTimeoutMs);
    } catch {
      if (get().current?.callId === callId) resumeTimer = setTimeout(() => void resume(), resumeRetryMs);
      return;
    }
    if (get().current?.callId !== callId) return;
    if (!ack.ok) {
      const held = get().calls[callId];
      return finish(held && !isLive(held) ? held : null, held && !isLive(held) ? undefined : 'You were disconnected from the call.');
    }
    const resumed = get().current!;
    set({ current: { ...resumed, phase: 'joined' } });
    apply(ack.data.call);
    if (get().current?.callId !== callId) return;
    iceServersAt = now();
    engine?.resume(ack.data.iceServers, joinedIds(ack.data.call));
    reported = null; // say it again: the server may have reset it
    reportMedia();
  }

  async function refreshList(): Promise<void> {
    if (!requests?.connected) return;
    let ack: Awaited<ReturnType<CallRequests['list']>>;
    try {
      ack = await requests.list();
    } catch {
      return; // the next reconnect lists again; call:updated keeps what is held current meanwhile
    }
    if (!ack.ok) return;
    const live = new Set(ack.data.calls.map((c) => c.id));
    // Calls held as live that the server no longer lists ended while this tab was away.
    for (const held of Object.values(get().calls)) {
      if (!isLive(held) || live.has(held.id)) continue;
      const { [held.id]: _, ...rest } = get().calls;
      set({ calls: rest });
      stopRinging(held.id);
      if (get().current?.callId === held.id) finish(null, 'The call has ended.');
    }
    for (const call of ack.data.calls) {
      apply(call);
      const mine = participantOf(call, meId);
      if (mine?.state === 'invited' && isLive(call) && get().current?.callId !== call.id) ring(call, false);
    }
  }

  const actions: CallsActions = {
  async start(roomId, kind, invite) {
    if (get().current) return notify('You are already in a call.', 'error');
    if (!requests?.connected) return notify('You are offline. Try again when the connection is back.', 'error');
    const current: CurrentCall = { callId: null, roomId, kind, phase: 'starting' };
    await enter(current, () => requests!.send('call:start', { roomId, kind, ...(invite?.length ? { invite } : {}) }, ackTimeoutMs));
  },

  async accept(callId) {
    if (get().current) return notify('You are already in a call.', 'error');
    const call = get().calls[callId];
    if (!call || !isLive(call)) {
      stopRinging(callId);
      return notify('That call has ended.', 'info');
    }
    if (!requests?.connected) return notify('You are offline. Try again when the connection is back.', 'error');
    stopRinging(callId);
    const current: CurrentCall = { callId, roomId: call.roomId, kind: call.kind, phase: 'starting' };
    await enter(current, () => requests!.send('call:accept', { callId }, ackTimeoutMs));
  },

  async decline(callId) {
    stopRinging(callId);
    if (!requests?.connected) return;
    set({ pending: callId });
    try {
      const ack = await requests.send('call:decline', { callId }, ackTimeoutMs);
      if (ack.ok) apply(ack.data.call);
    } catch {
      // it stops ringing here anyway; the server marks it missed at ringUntil
    } finally {
      if (get().pending === callId) set({ pending: null });
    }
  },

  async hangup() {
    const current = get().current;
    if (!current) return;
    if (!current.callId) {
      // call:start is on its way: joined() sees this call gone when it answers, and hangs up then.
      finish(null);
      return;
    }
    const callId = current.callId;
    finish(null);
    // The media is off here already; the server must hear it too, or this tab would stay "in the call"
    // for the others while its socket lives: over HTTP when the socket cannot say it (idempotent).
    const overHttp = () => deps.beacon(`/api/calls/${encodeURIComponent(callId)}/hangup`, jsonBlob());
    if (!requests?.connected) return void overHttp();
    try {
      const ack = await requests.send('call:hangup', { callId }, ackTimeoutMs);
      if (!ack.ok) {
        // Refused for a passing reason (rate limit, server trouble); CONFLICT / NOT_FOUND: nothing to leave.
        if (ack.error.code !== 'CONFLICT' && ack.error.code !== 'NOT_FOUND') overHttp();
        return;
      }
      apply(ack.data.call);
      const call = ack.data.call;
      const outcome = callOutcomeText(call, { isCaller: call.caller.id === meId, calleeName: calleeName(call, meId) });
      notify(outcome ?? 'You left the call.', call.state === 'ended' && call.endReason !== 'completed' ? 'missed' : 'info', call);
    } catch {
      overHttp(); // no answer in time
    }
  },

  setMuted(muted) {
    engine?.setMuted(muted);
  },
  async setCamera(on) {
    await engine?.setCamera(on);
  },
  async setScreen(on) {
    await engine?.setScreen(on);
  },
  async selectDevice(kind, deviceId) {
    await engine?.selectDevice(kind, deviceId);
  },

  dismissNotice() {
    set({ notice: null });
  },

  leaveOnUnload() {
    const callId = get().current?.callId;
    if (!callId || beaconFor === callId) return;
    beaconFor = callId;
    deps.beacon(`/api/calls/${encodeURIComponent(callId)}/hangup`, jsonBlob());
  },
  };
  const store = createStore<CallsState & CallsActions>()(() => ({ calls: {}, ringing: {}, current: null, media: null, notice: null, pending: null, ...actions }));

  const binding: CallsBinding = {
    attach(next) {
      requests = next;
    },
    detach() {
      requests = null;
    },
    dispose() {
      requests = null;
      for (const timer of ringTimers.values()) clearTimeout(timer);
      ringTimers.clear();
      finish(null);
      set({ ringing: {} });
    },
    onReady() {
      const current = get().current;
      if (current?.callId && current.phase !== 'starting') void resume();
      void refreshList();
    },
    onDisconnect() {
      const current = get().current;
      if (current?.callId && current.phase === 'joined') set({ current: { ...current, phase: 'reconnecting' } });
    },
    onRing(call) {
      // Keep the call first (unless what is held is newer): ringing reads the call from the list.
      remember(call);
      const latest = get().calls[call.id]!;
      if (isLive(latest) && participantOf(latest, meId)?.state === 'invited') ring(latest, true);
    },
    onUpdated(call) {
      apply(call);
    },
    onSignal(signal) {
      if (get().current?.callId !== signal.callId) return;
      engine?.signal({
        from: signal.from,
        ...(signal.description ? { description: signal.description } : {}),
        ...(signal.candidate !== undefined ? { candidate: signal.candidate === null ? null : candidateInit(signal.candidate) } : {}),
      });
    },
  };

  return Object.assign(store, { binding });
}

/** The beacon's body: the hang-up route takes JSON only (an empty object). */
function jsonBlob(): Blob {
  return new Blob(['{}'], { type: 'application/json' });
}

/** The fields of an ICE candidate the protocol carries (RTCIceCandidate.toJSON() may add others). */
function candidateInit(candidate: RTCIceCandidateInit): { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } {
  return {
    candidate: candidate.candidate ?? '',
    ...(candidate.sdpMid !== undefined ? { sdpMid: candidate.sdpMid } : {}),
    ...(candidate.sdpMLineIndex !== undefined ? { sdpMLineIndex: candidate.sdpMLineIndex } : {}),
    ...(candidate.usernameFragment !== undefined ? { usernameFragment: candidate.usernameFragment } : {}),
  };
}
