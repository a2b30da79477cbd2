/**
 * (e) hashing: another user's requests to the hashing instance (bench/hashing-instance.ts) while it
 * hashes, as the issue timed /api/health. A GET every `everyMs`, open loop (due whether or not the last
 * one answered), each timed from its intended send time. Its own process, so its timing does not depend
 * on the orchestrator's.
 */
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { exitWithParent, type LatencySummary, type ProbeCommand, type ProbeMessage } from './shared';

const send = (message: ProbeMessage, then: () => void) => process.send?.(message, then);

function start(url: string, everyMs: number): () => LatencySummary {
  const agent = new Agent({ keepAlive: true });
  const rtt = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const pending = new Set<number>(); // intended send times
  const record = (intended: number) => rtt.recordValue(Math.max(1, Math.round((performance.now() - intended) * 1000)));
  const probe = (intended: number) => {
    pending.add(intended);
    const done = () => {
      if (pending.delete(intended)) record(intended);
    };
    get(url, { agent }, (res) => {
      res.resume();
      res.once('end', done);
    }).once('error', done);
  };
  const t0 = performance.now();
  let k = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    for (let at = t0 + k * everyMs; at <= now; k += 1, at = t0 + k * everyMs) probe(at);
    timer = setTimeout(tick, Math.max(0, t0 + k * everyMs - performance.now()));
  };
  tick();
  return () => {
    clearTimeout(timer);
    for (const intended of pending) record(intended); // unanswered: at least this long
    agent.destroy();
    const ms = (us: number) => Math.round(us) / 1000;
    if (rtt.totalCount === 0) return { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
    return { count: rtt.totalCount, p50: ms(rtt.getValueAtPercentile(50)), p99: ms(rtt.getValueAtPercentile(99)), p999: ms(rtt.getValueAtPercentile(99.9)), max: ms(rtt.maxValue) };
  };
}

exitWithParent(() => undefined);
let stop: (() => LatencySummary) | undefined;
process.on('message', (m: ProbeCommand) => {
  try {
    if (m?.type === 'start') stop = start(m.url, m.everyMs);
    else if (m?.type === 'stop' && stop) send({ type: 'summary', summary: stop() }, () => process.exit(0));
  } catch (error) {
    send({ type: 'fatal', error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  }
});
