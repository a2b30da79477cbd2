/**
 * This tab's side of a call's media: the microphone, the camera and a shared screen, and which devices
 * exist. Browser-only, free of React; lib/calls/peer-mesh.ts puts these tracks on every connection.
 *
 * Muting keeps the microphone open (unmuting is instant) but the connections send no track at all
 * (RTCRtpSender.replaceTrack(null)), so no sound leaves the tab, not even silence. Turning the camera off
 * stops its track (the camera's light goes out); turning it on opens it again.
 */
import type { CallKind, CallMedia } from '../schemas/call';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface LocalMediaSnapshot {
  /** The microphone (also while muted), or null when none could be opened. */
  microphone: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  muted: boolean;
  microphones: DeviceOption[];
  cameras: DeviceOption[];
  /** The device in use (or chosen for next time), when known. */
  microphoneId: string | null;
  cameraId: string | null;
  /** The browser can share a screen here (not on most phones). */
  canShareScreen: boolean;
  /** Why the last media change did not happen (camera refused, screen share failed…), for the person. */
  problem: string | null;
}

/** A media failure worded for the person: what could not be used, and what to do. */
export class CallMediaError extends Error {
  override name = 'CallMediaError';
}

function problemText(error: unknown, what: 'microphone' | 'camera' | 'screen'): string {
  const name = error instanceof DOMException ? error.name : '';
  const device = what === 'screen' ? 'your screen' : `your ${what}`;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return what === 'screen' ? 'Screen sharing was not allowed.' : `Parley may not use ${device}. Allow it in the browser's site settings.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found.`;
  if (name === 'NotReadableError' || name === 'AbortError') return `${device[0]!.toUpperCase()}${device.slice(1)} is in use by another app, or could not be started.`;
  return `Could not use ${device}.`;
}

/** Video as a call sends it: small enough for a four-way mesh (each person sends three copies). */
const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };

function mediaDevices(): MediaDevices {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    throw new CallMediaError('This browser cannot make calls here (calls need a secure connection: https).');
  }
  return navigator.mediaDevices;
}

export class LocalMedia {
  private state: LocalMediaSnapshot;
  private readonly listeners = new Set<() => void>();
  private closed = false;

  private constructor(microphone: MediaStreamTrack | null, camera: MediaStreamTrack | null, problem: string | null) {
    const devices = mediaDevices();
    this.state = {
      microphone,
      camera,
      screen: null,
      muted: false,
      microphones: [],
      cameras: [],
      microphoneId: microphone?.getSettings().deviceId ?? null,
      cameraId: camera?.getSettings().deviceId ?? null,
      canShareScreen: typeof devices.getDisplayMedia === 'function',
      problem,
    };
    devices.addEventListener('devicechange', this.onDeviceChange);
    void this.refreshDevices();
  }

  /**
   * Opens the microphone, and the camera for a video call. A call goes ahead without a camera (the others
   * see a picture instead); without a microphone it cannot start: CallMediaError.
   */
  static async open(kind: CallKind): Promise<LocalMedia> {
    const devices = mediaDevices();
    if (kind === 'video') {
      try {
        const stream = await devices.getUserMedia({ audio: true, video: CAMERA_CONSTRAINTS });
        return new LocalMedia(stream.getAudioTracks()[0] ?? null, stream.getVideoTracks()[0] ?? null, null);
      } catch (error) {
        // Perhaps only the camera is missing or refused: try the microphone alone.
        const media = await LocalMedia.open('audio');
        media.state = { ...media.state, problem: problemText(error, 'camera') };
        return media;
      }
    }
    try {
      const stream = await devices.getUserMedia({ audio: true });
      return new LocalMedia(stream.getAudioTracks()[0] ?? null, null, null);
    } catch (error) {
      throw new CallMediaError(problemText(error, 'microphone'));
    }
  }

  snapshot(): LocalMediaSnapshot {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the connections send now. */
  outgoingAudio(): MediaStreamTrack | null {
    return this.state.muted ? null : this.state.microphone;
  }

  /** The screen while sharing, else the camera (or nothing). */
  outgoingVideo(): MediaStreamTrack | null {
    return this.state.screen ?? this.state.camera;
  }

  /** What I say I send (call:media). */
  media(): CallMedia {
    return { audio: this.outgoingAudio() !== null, video: this.state.camera !== null, screen: this.state.screen !== null };
  }

  setMuted(muted: boolean): void {
    if (this.state.muted === muted) return;
    this.update({ muted, problem: null });
  }

  async setCamera(on: boolean): Promise<void> {
    if (on === (this.state.camera !== null)) return;
    if (!on) {
      this.state.camera?.stop();
      this.update({ camera: null, problem: null });
      return;
    }
    try {
      const track = await this.openCamera(this.state.cameraId);
      if (this.closed) return track.stop();
      this.update({ camera: track, cameraId: track.getSettings().deviceId ?? this.state.cameraId, problem: null });
    } catch (error) {
      this.update({ problem: problemText(error, 'camera') });
    }
  }

  /** Shares a screen (the browser asks which); sharing stops with stopScreen() or the browser's own Stop button. */
  async startScreen(): Promise<void> {
    if (this.state.screen || !this.state.canShareScreen) return;
    try {
      const stream = await mediaDevices().getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) return;
      if (this.closed) return track.stop();
      track.contentHint = 'detail';
      track.addEventListener('ended', () => {
        if (this.state.screen === track) this.update({ screen: null });
      });
      this.update({ screen: track, problem: null });
    } catch (error) {
      // Cancelling the browser's picker is a NotAllowedError too: nothing to say then.
      if (error instanceof DOMException && error.name === 'NotAllowedError') return;
      this.update({ problem: problemText(error, 'screen') });
    }
  }

  stopScreen(): void {
    const screen = this.state.screen;
    if (!screen) return;
    screen.stop();
    this.update({ screen: null });
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    if (deviceId === this.state.microphoneId && this.state.microphone) return;
    try {
      const stream = await mediaDevices().getUserMedia({ audio: { deviceId: { exact: deviceId } } });
      const track = stream.getAudioTracks()[0];
      if (!track) return;
      if (this.closed) return track.stop();
      const previous = this.state.microphone;
      this.update({ microphone: track, microphoneId: deviceId, problem: null });
      previous?.stop();
    } catch (error) {
      this.update({ problem: problemText(error, 'microphone') });
    }
  }

  async switchCamera(deviceId: string): Promise<void> {
    if (deviceId === this.state.cameraId) return;
    if (!this.state.camera) {
      this.update({ cameraId: deviceId }); // used when the camera is turned on
      return;
    }
    try {
      const track = await this.openCamera(deviceId);
      if (this.closed) return track.stop();
      const previous = this.state.camera;
      this.update({ camera: track, cameraId: deviceId, problem: null });
      previous?.stop();
    } catch (error) {
      this.update({ problem: problemText(error, 'camera') });
    }
  }

  /** Stops every track and forgets the listeners. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    for (const track of [this.state.microphone, this.state.camera, this.state.screen]) track?.stop();
    this.listeners.clear();
  }

  private async openCamera(deviceId: string | null): Promise<MediaStreamTrack> {
    const stream = await mediaDevices().getUserMedia({ video: deviceId ? { ...CAMERA_CONSTRAINTS, deviceId: { exact: deviceId } } : CAMERA_CONSTRAINTS });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new DOMException('No camera track', 'NotFoundError');
    return track;
  }

  private readonly onDeviceChange = () => void this.refreshDevices();

  private async refreshDevices(): Promise<void> {
    let all: MediaDeviceInfo[];
    try {
      all = await mediaDevices().enumerateDevices();
    } catch {
      return;
    }
    if (this.closed) return;
    const options = (kind: MediaDeviceKind) =>
      all
        .filter((d) => d.kind === kind && d.deviceId)
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Camera'} ${i + 1}` }));
    this.update({ microphones: options('audioinput'), cameras: options('videoinput') });
  }

  private update(patch: Partial<LocalMediaSnapshot>): void {
    if (this.closed) return;
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}
