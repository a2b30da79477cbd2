/**
 * A call's media connections, browser-only and free of React: one RTCPeerConnection per other joined
 * participant (a full mesh, up to four people), signaled through the server (call:signal, docs/protocol.md
 * §4.12).
 *
 * - Who offers: the newcomer (connect()); the others answer the offer when it arrives (handleSignal()).
 * - Renegotiation (a screen added to a voice call, an ICE restart) may come from either side: "perfect
 *   negotiation" (WebRTC 1.0 §10.7), where the participant whose user id sorts lower is polite — it rolls
 *   its own offer back when both offer at once; the other ignores the colliding offer.
 * - Trickle ICE: candidates go out as they are found, `null` at the end.
 * - A connection `disconnected` for a few seconds, or `failed`, restarts ICE: a blip does not end the call.
 *   The side that made the first offer restarts first; the other steps in if that does not help.
 * - Tracks come from LocalMedia: muting and camera-off replace the sender's track with none (nothing is
 *   sent), a device change or a screen share replaces it with another. No renegotiation for any of these,
 *   except a screen shared in a voice call, which adds a video sender.
 * - Quality: getStats() every few seconds, graded by lib/calls/quality.ts.
 */
import type { CallKind, IceServer } from '../schemas/call';
import type { LocalMedia } from './local-media';
import { qualityOf, sampleOf, type Quality, type StatsSample } from './quality';

/** One signal for the server to relay to `to` (call:signal without the call id). */
export interface OutgoingSignal {
  to: string;
  description?: { type: 'offer' | 'answer'; sdp: string };
  candidate?: RTCIceCandidateInit | null;
}

/** One relayed signal from participant `from`. */
export interface IncomingSignal {
  from: string;
  description?: { type: 'offer' | 'answer'; sdp: string };
  candidate?: RTCIceCandidateInit | null;
}

export interface PeerSnapshot {
  userId: string;
  connection: RTCPeerConnectionState;
  /** What the other person sends, as received (a muted track until packets arrive). */
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Null until the first stats sample with a connection. */
  quality: Quality | null;
  /** Cumulative bytes on this connection (the call view's quality detail; tests read them too). */
  bytes: StatsSample['bytes'];
}

export interface PeerMeshOptions {
  selfId: string;
  kind: CallKind;
  iceServers: IceServer[];
  media: LocalMedia;
  send(signal: OutgoingSignal): void;
  /** Something a snapshot shows changed. */
  onChange(): void;
  /**
   * Before an ICE restart: fresh ICE servers when the ones held may have expired (TURN credentials are
   * checked when a relay is allocated), or null to keep them.
   */
  refreshIceServers?(): Promise<IceServer[] | null>;
  /** How long a `disconnected` connection may stay so before ICE restarts. */
  disconnectedRestartMs?: number;
  statsIntervalMs?: number;
}

const NO_BYTES: StatsSample['bytes'] = { audioIn: 0, videoIn: 0, audioOut: 0, videoOut: 0 };
/** Candidates that came before their connection's offer (kept per sender, bounded). */
const EARLY_CANDIDATES_MAX = 50;

/** The DTLS fingerprint of a session description: a different one is a different RTCPeerConnection. */
export function fingerprintOf(sdp: string | undefined): string | null {
  const match = sdp ? /^a=fingerprint:(.+)$/m.exec(sdp) : null;
  return match ? match[1]!.trim() : null;
}

/** The participant whose user id sorts lower (plain string order) is the polite one. */
export function isPolite(selfId: string, otherId: string): boolean {
  return selfId < otherId;
}

interface Link {
  userId: string;
  pc: RTCPeerConnection;
  polite: boolean;
  /** I made the first offer on this connection (the newcomer): I restart ICE first. */
  initiator: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  settingRemoteAnswer: boolean;
  /** Candidates that arrived before a remote description could take them. */
  pending: (RTCIceCandidateInit | null)[];
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  quality: Quality | null;
  lastSample: StatsSample | null;
  bytes: StatsSample['bytes'];
  restartTimer?: ReturnType<typeof setTimeout>;
  lastRestartAt: number;
}

/** Test builds only (a flag the page never sets itself): lets e2e read the connections' own stats. */
interface TestHooks {
  __PARLEY_TEST_HOOKS__?: boolean;
  __parleyCalls?: { connections(): Record<string, RTCPeerConnection> };
}

export class PeerMesh {
  private readonly links = new Map<string, Link>();
  private readonly early = new Map<string, (RTCIceCandidateInit | null)[]>();
  private iceServers: IceServer[];
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private readonly unsubscribeMedia: () => void;
  private closed = false;
  private readonly restartAfterMs: number;

  constructor(private readonly options: PeerMeshOptions) {
    this.iceServers = options.iceServers;
    this.restartAfterMs = options.disconnectedRestartMs ?? 3_000;
    this.unsubscribeMedia = options.media.subscribe(() => this.applyLocalTracks());
    this.statsTimer = setInterval(() => void this.sampleStats(), options.statsIntervalMs ?? 2_000);
    const hooks = globalThis as TestHooks;
    if (hooks.__PARLEY_TEST_HOOKS__ === true) {
      hooks.__parleyCalls = { connections: () => Object.fromEntries([...this.links].map(([id, link]) => [id, link.pc])) };
    }
  }

  /** I am the newcomer: connect to these participants (an offer to each). */
  connect(userIds: readonly string[]): void {
    for (const userId of userIds) {
      if (this.closed || userId === this.options.selfId || this.links.has(userId)) continue;
      const link = this.createLink(userId, true);
      // Adding the transceivers makes the connection ask for negotiation: the offer goes out from there.
      this.addTransceivers(link);
    }
  }

  /** A relayed offer, answer or candidate. */
  async handleSignal(signal: IncomingSignal): Promise<void> {
    if (this.closed || signal.from === this.options.selfId) return;
    if (signal.description) return this.onDescription(signal.from, signal.description);
    if (signal.candidate !== undefined) return this.onCandidate(signal.from, signal.candidate);
  }

  /** Participants no longer joined: their connections close. */
  keepOnly(joinedIds: readonly string[]): void {
    const keep = new Set(joinedIds);
    for (const userId of [...this.links.keys()]) if (!keep.has(userId)) this.closeLink(userId);
    for (const userId of [...this.early.keys()]) if (!keep.has(userId)) this.early.delete(userId);
  }

  /**
   * Back after my tab's connection to the server dropped (call:resume): fresh ICE servers, and an offer
   * with an ICE restart to every joined participant (a new connection where there was none).
   */
  async resume(iceServers: IceServer[], joinedIds: readonly string[]): Promise<void> {
    this.useIceServers(iceServers);
    const others = joinedIds.filter((id) => id !== this.options.selfId);
    this.keepOnly(others);
    for (const userId of others) {
      const link = this.links.get(userId);
      if (!link) {
        this.connect([userId]);
        continue;
      }
      // An offer that went out while the server could not relay it waits for an answer that will not come.
      if (link.pc.signalingState === 'have-local-offer') {
        try {
          await link.pc.setLocalDescription({ type: 'rollback' });
        } catch {
          // nothing to roll back any more
        }
      }
      this.restartIce(link, true);
    }
  }

  peers(): PeerSnapshot[] {
    return [...this.links.values()].map((link) => ({
      userId: link.userId,
      connection: link.pc.connectionState,
      audio: link.audio,
      video: link.video,
      quality: link.quality,
      bytes: link.bytes,
    }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.statsTimer);
    this.unsubscribeMedia();
    for (const userId of [...this.links.keys()]) this.closeLink(userId);
    const hooks = globalThis as TestHooks;
    if (hooks.__PARLEY_TEST_HOOKS__ === true) delete hooks.__parleyCalls;
  }

  // ── connections ──

  private createLink(userId: string, initiator: boolean): Link {
    const pc = new RTCPeerConnection({ iceServers: toRtcIceServers(this.iceServers), bundlePolicy: 'max-bundle' });
    const link: Link = {
      userId,
      pc,
      polite: isPolite(this.options.selfId, userId),
      initiator,
      makingOffer: false,
      ignoreOffer: false,
      settingRemoteAnswer: false,
      pending: this.early.get(userId) ?? [],
      audio: null,
      video: null,
      quality: null,
      lastSample: null,
      bytes: NO_BYTES,
      lastRestartAt: 0,
    };
    this.early.delete(userId);
    this.links.set(userId, link);

    pc.onnegotiationneeded = async () => {
      try {
        link.makingOffer = true;
        await pc.setLocalDescription();
        this.sendDescription(link);
      } catch {
        // the connection closed, or a remote offer won: that negotiation goes on instead
      } finally {
        link.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (this.links.get(userId) !== link) return;
      this.options.send({ to: userId, candidate: candidate ? candidate.toJSON() : null });
    };
    pc.ontrack = ({ track }) => {
      if (track.kind === 'audio') link.audio = track;
      else link.video = track;
      this.options.onChange();
    };
    const onState = () => {
      this.watchConnection(link);
      this.options.onChange();
    };
    pc.onconnectionstatechange = onState;
    pc.oniceconnectionstatechange = onState;
    this.options.onChange();
    return link;
  }

  private closeLink(userId: string): void {
    const link = this.links.get(userId);
    if (!link) return;
    clearTimeout(link.restartTimer);
    this.links.delete(userId);
    link.pc.onnegotiationneeded = null;
    link.pc.onicecandidate = null;
    link.pc.ontrack = null;
    link.pc.onconnectionstatechange = null;
    link.pc.oniceconnectionstatechange = null;
    link.pc.close();
    this.options.onChange();
  }

  /** The newcomer's m-lines: sound always; video in a video call, or to share a screen in a voice call. */
  private addTransceivers(link: Link): void {
    const { media, kind } = this.options;
    link.pc.addTransceiver('audio', { direction: 'sendrecv' });
    if (kind === 'video' || media.outgoingVideo()) link.pc.addTransceiver('video', { direction: 'sendrecv' });
    this.applyTracks(link);
  }

  /** Puts the tracks LocalMedia says go out on every sender of every connection. */
  private applyLocalTracks(): void {
    for (const link of this.links.values()) this.applyTracks(link);
  }

  private applyTracks(link: Link): void {
    if (link.pc.signalingState === 'closed') return;
    const audio = this.options.media.outgoingAudio();
    const video = this.options.media.outgoingVideo();
    let hasVideo = false;
    for (const transceiver of link.pc.getTransceivers()) {
      if (transceiver.currentDirection === 'stopped' || transceiver.direction === 'stopped') continue;
      const kind = transceiver.receiver.track.kind;
      if (kind === 'video') hasVideo = true;
      const track = kind === 'audio' ? audio : video;
      if (transceiver.sender.track !== track) transceiver.sender.replaceTrack(track).catch(() => undefined);
      // Transceivers a remote offer created start as recvonly: this side sends too.
      if (transceiver.direction !== 'sendrecv') transceiver.direction = 'sendrecv';
    }
    // A screen shared in a voice call: a video sender where there was none (negotiation follows by itself).
    if (video && !hasVideo && link.pc.signalingState === 'stable' && link.pc.remoteDescription) {
      link.pc.addTransceiver(video, { direction: 'sendrecv' });
    }
  }

  private sendDescription(link: Link): void {
    const description = link.pc.localDescription;
    if (!description || (description.type !== 'offer' && description.type !== 'answer')) return;
    this.options.send({ to: link.userId, description: { type: description.type, sdp: description.sdp } });
  }

  private async onDescription(from: string, description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    let link = this.links.get(from);
    if (description.type === 'offer' && link?.pc.remoteDescription) {
      // The other side started over with a new connection (it left and joined again, or reloaded): so do I.
      const before = fingerprintOf(link.pc.remoteDescription.sdp);
      const now = fingerprintOf(description.sdp);
      if (before && now && before !== now) {
        this.closeLink(from);
        link = undefined;
      }
    }
    if (!link) {
      if (description.type === 'answer') return; // an answer to a connection that is gone
      link = this.createLink(from, false);
    }
    const { pc } = link;
    try {
      const readyForOffer = !link.makingOffer && (pc.signalingState === 'stable' || link.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      link.ignoreOffer = !link.polite && collision;
      if (link.ignoreOffer) return;
      link.settingRemoteAnswer = description.type === 'answer';
      await pc.setRemoteDescription(description); // a polite side's own offer is rolled back implicitly
      link.settingRemoteAnswer = false;
      if (description.type === 'offer') {
        this.applyTracks(link);
        await pc.setLocalDescription();
        this.sendDescription(link);
      }
      await this.flushCandidates(link);
      // Back to stable: a sender that could not be added mid-negotiation (a screen in a voice call) can be now.
      this.applyTracks(link);
    } catch {
      link.settingRemoteAnswer = false;
      // A description that does not apply (e.g. an answer that lost a race): ICE restart recovers if needed.
    }
  }

  private async onCandidate(from: string, candidate: RTCIceCandidateInit | null): Promise<void> {
    const link = this.links.get(from);
    if (!link) {
      const early = this.early.get(from) ?? [];
      if (early.length < EARLY_CANDIDATES_MAX) early.push(candidate);
      this.early.set(from, early);
      return;
    }
    if (!link.pc.remoteDescription) {
      if (link.pending.length < EARLY_CANDIDATES_MAX) link.pending.push(candidate);
      return;
    }
    await this.addCandidate(link, candidate);
  }

  private async flushCandidates(link: Link): Promise<void> {
    const pending = link.pending.splice(0);
    for (const candidate of pending) await this.addCandidate(link, candidate);
  }

  private async addCandidate(link: Link, candidate: RTCIceCandidateInit | null): Promise<void> {
    try {
      // No argument: the other side has no more candidates (end-of-candidates).
      await (candidate ? link.pc.addIceCandidate(candidate) : link.pc.addIceCandidate());
    } catch {
      // Candidates of an offer this side ignored (a collision), or of an older ICE generation: harmless.
    }
  }

  // ── keeping connections up ──

  private watchConnection(link: Link): void {
    const ice = link.pc.iceConnectionState;
    const state = link.pc.connectionState;
    if (state === 'connected' || ice === 'connected' || ice === 'completed') {
      clearTimeout(link.restartTimer);
      link.restartTimer = undefined;
      return;
    }
    const failed = state === 'failed' || ice === 'failed';
    const disconnected = state === 'disconnected' || ice === 'disconnected';
    if (!failed && !disconnected) return;
    if (link.restartTimer) return;
    // The first offerer restarts first; the other side waits longer, in case that offer cannot get through.
    const delay = (failed ? 0 : this.restartAfterMs) + (link.initiator ? 0 : 5_000);
    link.restartTimer = setTimeout(() => {
      link.restartTimer = undefined;
      if (this.links.get(link.userId) !== link) return;
      const ice = link.pc.iceConnectionState;
      if (ice === 'disconnected' || ice === 'failed' || link.pc.connectionState === 'failed') {
        this.restartIce(link, false);
        this.watchConnection(link); // and again later if this one does not help
      }
    }, delay);
  }

  private restartIce(link: Link, force: boolean): void {
    const now = Date.now();
    if (!force && now - link.lastRestartAt < 4_000) return;
    link.lastRestartAt = now;
    if (force || !this.options.refreshIceServers) {
      link.pc.restartIce(); // fires negotiationneeded: an offer with new ICE credentials
      return;
    }
    // Late in a long call the TURN credentials may have expired: new ones first, then the restart.
    void this.options.refreshIceServers().then(
      (fresh) => {
        if (this.closed || this.links.get(link.userId) !== link) return;
        if (fresh) this.useIceServers(fresh);
        link.pc.restartIce();
      },
      () => link.pc.restartIce(),
    );
  }

  /** New ICE servers for every connection (used by their next ICE gathering: a restart). */
  private useIceServers(servers: IceServer[]): void {
    this.iceServers = servers;
    for (const link of this.links.values()) {
      try {
        link.pc.setConfiguration({ ...link.pc.getConfiguration(), iceServers: toRtcIceServers(servers) });
      } catch {
        // the old servers stay; host candidates still work
      }
    }
  }

  // ── quality ──

  private async sampleStats(): Promise<void> {
    let changed = false;
    await Promise.all(
      [...this.links.values()].map(async (link) => {
        if (link.pc.connectionState === 'closed' || link.pc.connectionState === 'new') return;
        try {
          const sample = sampleOf(await link.pc.getStats());
          link.quality = link.pc.connectionState === 'connected' ? qualityOf(sample, link.lastSample) : null;
          link.lastSample = sample;
          link.bytes = sample.bytes;
          changed = true;
        } catch {
          // closed meanwhile
        }
      }),
    );
    if (changed && !this.closed) this.options.onChange();
  }
}

function toRtcIceServers(servers: IceServer[]): RTCIceServer[] {
  return servers.map((server) => ({
    urls: server.urls,
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.credential !== undefined ? { credential: server.credential } : {}),
  }));
}
