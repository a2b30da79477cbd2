/**
 * A connection's quality from what RTCPeerConnection.getStats() says, pure: the round trip of the pair in
 * use, the share of packets lost since the previous sample, and the receive jitter, each graded, the worst
 * grade wins. Thresholds follow common VoIP guidance (ITU-T G.114: a one-way delay under 150 ms is good,
 * over 400 ms poor; loss over a few percent is audible; jitter over ~100 ms breaks up speech).
 */

export type QualityLevel = 'good' | 'fair' | 'poor';

/** What one getStats() report adds up to for one connection. */
export interface StatsSample {
  /** The selected candidate pair's current round trip, seconds (null when not measured yet). */
  rttSeconds: number | null;
  /** Packets received and lost, all inbound streams summed (cumulative counters). */
  packetsReceived: number;
  packetsLost: number;
  /** The worst inbound jitter, seconds. */
  jitterSeconds: number | null;
  /** Bytes, cumulative: inbound and outbound, by kind. */
  bytes: { audioIn: number; videoIn: number; audioOut: number; videoOut: number };
}

export interface Quality {
  level: QualityLevel;
  rttMs: number | null;
  /** Loss since the previous sample, percent. */
  lossPercent: number;
  jitterMs: number | null;
}

const RTT_MS = { fair: 300, poor: 600 };
const LOSS_PERCENT = { fair: 2, poor: 8 };
const JITTER_MS = { fair: 30, poor: 100 };

function grade(value: number | null, limits: { fair: number; poor: number }): QualityLevel {
  if (value === null) return 'good';
  return value >= limits.poor ? 'poor' : value >= limits.fair ? 'fair' : 'good';
}

const RANK: Record<QualityLevel, number> = { good: 0, fair: 1, poor: 2 };

export function worse(a: QualityLevel, b: QualityLevel): QualityLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The quality between two samples of one connection (the previous may be null: the first sample). */
export function qualityOf(current: StatsSample, previous: StatsSample | null): Quality {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = Math.max(0, current.packetsLost - (previous?.packetsLost ?? 0));
  const lossPercent = received + lost > 0 ? (lost / (received + lost)) * 100 : 0;
  const rttMs = current.rttSeconds === null ? null : Math.round(current.rttSeconds * 1000);
  const jitterMs = current.jitterSeconds === null ? null : Math.round(current.jitterSeconds * 1000);
  const level = [grade(rttMs, RTT_MS), grade(lossPercent, LOSS_PERCENT), grade(jitterMs, JITTER_MS)].reduce(worse, 'good');
  return { level, rttMs, lossPercent: Math.round(lossPercent * 10) / 10, jitterMs };
}

/** The parts of an RTCStats entry read here (the DOM types describe each kind separately). */
export interface StatsEntry {
  type: string;
  id: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
  currentRoundTripTime?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  bytesReceived?: number;
  bytesSent?: number;
  selectedCandidatePairId?: string;
}

/** Sums one getStats() report (an RTCStatsReport is a map of entries; tests pass a plain list). */
export function sampleOf(report: { values(): Iterable<unknown> }): StatsSample {
  const list = [...report.values()] as StatsEntry[];
  const transport = list.find((e) => e.type === 'transport' && e.selectedCandidatePairId);
  const pair =
    (transport && list.find((e) => e.id === transport.selectedCandidatePairId)) ??
    list.find((e) => e.type === 'candidate-pair' && (e.selected || (e.nominated && e.state === 'succeeded')));
  const sample: StatsSample = {
    rttSeconds: typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null,
    packetsReceived: 0,
    packetsLost: 0,
    jitterSeconds: null,
    bytes: { audioIn: 0, videoIn: 0, audioOut: 0, videoOut: 0 },
  };
  for (const entry of list) {
    if (entry.type === 'inbound-rtp') {
      sample.packetsReceived += entry.packetsReceived ?? 0;
      sample.packetsLost += Math.max(0, entry.packetsLost ?? 0);
      if (typeof entry.jitter === 'number') sample.jitterSeconds = Math.max(sample.jitterSeconds ?? 0, entry.jitter);
      if (entry.kind === 'audio') sample.bytes.audioIn += entry.bytesReceived ?? 0;
      if (entry.kind === 'video') sample.bytes.videoIn += entry.bytesReceived ?? 0;
    } else if (entry.type === 'outbound-rtp') {
      if (entry.kind === 'audio') sample.bytes.audioOut += entry.bytesSent ?? 0;
      if (entry.kind === 'video') sample.bytes.videoOut += entry.bytesSent ?? 0;
    }
  }
  return sample;
}
