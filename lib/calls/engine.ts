/**
 * One call's media in this tab: LocalMedia (microphone, camera, screen) and the PeerMesh that carries it
 * to the others, behind the small interface the calls store drives (lib/stores/calls.ts), so the store's
 * logic is testable without a browser. Browser-only.
 */
import type { CallKind, CallMedia, IceServer } from '../schemas/call';
import { LocalMedia, type LocalMediaSnapshot } from './local-media';
import { PeerMesh, type IncomingSignal, type OutgoingSignal, type PeerSnapshot } from './peer-mesh';

export interface EngineSnapshot {
  local: LocalMediaSnapshot;
  /** By user id. */
  peers: Record<string, PeerSnapshot>;
}

export interface CallEngine {
  /** Joined (the server's ack): connect with these ICE servers, offering to `offerTo` (I am the newcomer). */
  join(iceServers: IceServer[], offerTo: readonly string[]): void;
  signal(signal: IncomingSignal): void;
  /** The call's joined participants changed: connections to anyone else close. */
  keepOnly(joinedIds: readonly string[]): void;
  /** After call:resume: fresh ICE servers and an ICE restart towards every joined participant. */
  resume(iceServers: IceServer[], joinedIds: readonly string[]): void;
  media(): CallMedia;
  setMuted(muted: boolean): void;
  setCamera(on: boolean): Promise<void>;
  setScreen(on: boolean): Promise<void>;
  selectDevice(kind: 'microphone' | 'camera', deviceId: string): Promise<void>;
  snapshot(): EngineSnapshot;
  /** Called whenever the snapshot changes. */
  subscribe(listener: () => void): () => void;
  /** Hangs up the media: every connection closes, every track stops. */
  close(): void;
}

export interface EngineOptions {
  kind: CallKind;
  selfId: string;
  send(signal: OutgoingSignal): void;
  /** Fresh ICE servers before an ICE restart when the held ones may have expired (null: keep them). */
  refreshIceServers?(): Promise<IceServer[] | null>;
}

/** Opens the microphone (and camera) first — throws CallMediaError when the call cannot have sound. */
export async function openCallEngine(options: EngineOptions): Promise<CallEngine> {
  const media = await LocalMedia.open(options.kind);
  const listeners = new Set<() => void>();
  let mesh: PeerMesh | null = null;
  let snapshot: EngineSnapshot = { local: media.snapshot(), peers: {} };
  let closed = false;
  const changed = () => {
    if (closed) return;
    snapshot = { local: media.snapshot(), peers: Object.fromEntries((mesh?.peers() ?? []).map((p) => [p.userId, p])) };
    for (const listener of listeners) listener();
  };
  media.subscribe(changed);

  const join = (iceServers: IceServer[], offerTo: readonly string[]) => {
    if (closed) return;
    mesh ??= new PeerMesh({
      selfId: options.selfId,
      kind: options.kind,
      iceServers,
      media,
      send: options.send,
      onChange: changed,
      ...(options.refreshIceServers ? { refreshIceServers: options.refreshIceServers } : {}),
    });
    mesh.connect(offerTo);
  };

  return {
    join,
    signal(signal) {
      void mesh?.handleSignal(signal);
    },
    keepOnly(joinedIds) {
      mesh?.keepOnly(joinedIds.filter((id) => id !== options.selfId));
    },
    resume(iceServers, joinedIds) {
      if (closed) return;
      if (!mesh) return join(iceServers, joinedIds.filter((id) => id !== options.selfId));
      void mesh.resume(iceServers, joinedIds);
    },
    media: () => media.media(),
    setMuted: (muted) => media.setMuted(muted),
    setCamera: (on) => media.setCamera(on),
    setScreen: async (on) => (on ? media.startScreen() : media.stopScreen()),
    selectDevice: (kind, deviceId) => (kind === 'microphone' ? media.switchMicrophone(deviceId) : media.switchCamera(deviceId)),
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      mesh?.close();
      media.close();
      listeners.clear();
    },
  };
}
