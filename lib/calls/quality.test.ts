import { describe, expect, it } from 'vitest';
import { qualityOf, sampleOf, type StatsEntry, type StatsSample } from './quality';

const sample = (overrides: Partial<StatsSample> = {}): StatsSample => ({
  rttSeconds: 0.04,
  packetsReceived: 1000,
  packetsLost: 0,
  jitterSeconds: 0.005,
  bytes: { audioIn: 0, videoIn: 0, audioOut: 0, videoOut: 0 },
  ...overrides,
});

describe('connection quality', () => {
  it('grades round trip, loss since the last sample and jitter; the worst wins', () => {
    expect(qualityOf(sample(), null).level).toBe('good');
    expect(qualityOf(sample({ rttSeconds: 0.35 }), null).level).toBe('fair');
    expect(qualityOf(sample({ rttSeconds: 0.8 }), null).level).toBe('poor');
    expect(qualityOf(sample({ jitterSeconds: 0.05 }), null)).toMatchObject({ level: 'fair', jitterMs: 50 });
    // 30 lost of the last 1030 packets (2.9 %): fair, although the call as a whole lost less.
    const before = sample({ packetsReceived: 10_000, packetsLost: 10 });
    const after = sample({ packetsReceived: 11_000, packetsLost: 40 });
    expect(qualityOf(after, before)).toMatchObject({ level: 'fair', lossPercent: 2.9 });
    expect(qualityOf(sample({ packetsReceived: 100, packetsLost: 20 }), null).level).toBe('poor');
    // Nothing measured yet: no reason to say it is bad.
    expect(qualityOf(sample({ rttSeconds: null, jitterSeconds: null, packetsReceived: 0 }), null)).toMatchObject({ level: 'good', rttMs: null });
  });

  it('reads a getStats() report: the selected pair, inbound loss and jitter, bytes by kind', () => {
    const report: StatsEntry[] = [
      { type: 'transport', id: 'T1', selectedCandidatePairId: 'P2' },
      { type: 'candidate-pair', id: 'P1', currentRoundTripTime: 0.9, nominated: false, state: 'failed' },
      { type: 'candidate-pair', id: 'P2', currentRoundTripTime: 0.05, nominated: true, state: 'succeeded' },
      { type: 'inbound-rtp', id: 'IA', kind: 'audio', packetsReceived: 500, packetsLost: 2, jitter: 0.01, bytesReceived: 40_000 },
      { type: 'inbound-rtp', id: 'IV', kind: 'video', packetsReceived: 900, packetsLost: 3, jitter: 0.02, bytesReceived: 900_000 },
      { type: 'outbound-rtp', id: 'OA', kind: 'audio', bytesSent: 41_000 },
      { type: 'outbound-rtp', id: 'OV', kind: 'video', bytesSent: 800_000 },
    ];
    expect(sampleOf(report)).toEqual({
      rttSeconds: 0.05,
      packetsReceived: 1400,
      packetsLost: 5,
      jitterSeconds: 0.02,
      bytes: { audioIn: 40_000, videoIn: 900_000, audioOut: 41_000, videoOut: 800_000 },
    });
    // A Map, as RTCStatsReport is.
    expect(sampleOf(new Map(report.map((e) => [e.id, e]))).rttSeconds).toBe(0.05);
  });
});
