import { describe, expect, it } from 'vitest';
import { createDeliveredSeqs } from './delivered-seqs';

describe('delivered seqs of a room namespace', () => {
  it('sends each seq once, whatever the order it arrives in', () => {
    const seqs = createDeliveredSeqs();
    seqs.baseline(4);
    expect([5, 7, 6, 7, 5, 4, 2, 8].map((seq) => seqs.first(seq))).toEqual([true, true, true, false, false, false, false, true]);
    expect(seqs.floor).toBe(8);
  });

  it('takes the floor from the first admission only, and keeps what arrived before it', () => {
    const seqs = createDeliveredSeqs();
    expect(seqs.first(11)).toBe(true); // live before the first replay was read
    expect(seqs.floor).toBeUndefined();
    seqs.baseline(10);
    expect(seqs.floor).toBe(11);
    seqs.baseline(20); // a later socket's replay says nothing about the earlier sockets
    expect(seqs.floor).toBe(11);
    expect(seqs.first(11)).toBe(false);
  });

  it('notices a hole below a seq that arrived, from when it appeared', () => {
    let now = 1_000;
    const seqs = createDeliveredSeqs(() => now);
    seqs.baseline(0);
    seqs.first(1);
    expect(seqs.holeSince).toBeUndefined();
    seqs.first(3);
    expect(seqs.holeSince).toBe(1_000);
    now = 1_500;
    seqs.first(4);
    expect(seqs.holeSince).toBe(1_000); // the same hole (2)
    seqs.first(2);
    expect(seqs.holeSince).toBeUndefined();
    expect(seqs.floor).toBe(4);
    seqs.first(6);
    expect(seqs.holeSince).toBe(1_500);
    now = 2_000;
    seqs.holeChecked();
    expect(seqs.holeSince).toBe(2_000);
  });

  it('gives up on a hole rather than grow without bound', () => {
    const seqs = createDeliveredSeqs();
    seqs.baseline(0);
    for (let seq = 2; seq <= 1_002; seq += 1) seqs.first(seq);
    expect(seqs.floor).toBe(1_002);
    expect(seqs.holeSince).toBeUndefined();
    expect(seqs.first(1)).toBe(false);
  });
});
