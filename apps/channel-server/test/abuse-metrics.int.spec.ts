/**
 * Every abuse is visible (issue 11 item 8) on a real server: each abuse below moves its own counter
 * in /metrics (docs/protocol.md §9 names them), and a burst of it from one offender makes one log
 * line. Each offender uses its own loopback address, so per-address limits do not mix.
 */
import { connect, type Socket } from 'node:net';
import { encodePdu } from '@ims/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { concat, loopbackSender } from './fuzz-inputs.js';
import { ServerProcess, privateDiscoveryPort, scrapeUntil } from './harness.js';

const GARBAGE = Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0); // "FOO\0": UNKNOWN_COMMAND
const sockets: Socket[] = [];
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A raw connection from `localAddress` that reads (and keeps) what it gets. */
async function dial(port: number, localAddress: string): Promise<Socket & { got: () => string }> {
  const s = connect({ host: '127.0.0.1', port, localAddress });
  sockets.push(s);
  let got = '';
  s.on('data', (b: Buffer) => (got += b.toString('latin1')));
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return Object.assign(s, { got: () => got });
}

const frame = (text: string): Uint8Array => {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
};

function value(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('abuse counters and log lines (a real channel-server)', () => {
  it('each abuse moves its own counter in /metrics, and one offender`s burst makes one log line', { timeout: 60_000 }, async () => {
    const dport = privateDiscoveryPort();
    const server = await ServerProcess.start([
      ...['--port', '0', '--http-port', '0', '--discovery-port', String(dport), '--announce-interval', '250'],
      ...['--idle-timeout', '500ms', '--max-connections-per-ip', '3', '--flood-rate', '20', '--flood-burst', '20', '--flood-max-dropped', '1000'],
    ]);
    cleanup.push(() => server.kill());
    const listening = await server.waitForLine((l) => l.event === 'listening');
    const url = `http://127.0.0.1:${listening.httpPort as number}/metrics`;
    const before = await (await fetch(url)).text();
    for (const series of ['ims_errors_total{code="UNKNOWN_COMMAND"}', 'ims_errors_total{code="FLOOD"}', 'ims_errors_total{code="MAX_CONNECTIONS_PER_IP"}', 'ims_discovery_abuse_total{cause="malformed"}']) {
      expect(value(before, series), series).toBe(0);
    }
    const port = server.port;

    // Bad frames: ten in one write, one line.
    const bad = await dial(port, '127.0.0.11');
    bad.write(concat(Array.from({ length: 10 }, () => GARBAGE)));
    await scrapeUntil(url, /^ims_errors_total\{code="UNKNOWN_COMMAND"\} 10$/m);
    // SAY before JOIN.
    (await dial(port, '127.0.0.12')).write(frame('SAY\0early\0'));
    await scrapeUntil(url, /^ims_errors_total\{code="NOT_JOINED"\} 1$/m);
    // An oversize length: fatal.
    (await dial(port, '127.0.0.13')).write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1));
    await scrapeUntil(url, /^ims_errors_total\{code="FRAME_TOO_LARGE"\} 1$/m);
    // A flood: 60 SAYs at once against a burst of 20.
    const loud = await dial(port, '127.0.0.14');
    loud.write(concat([frame('JOIN\0#m\0loud\0'), ...Array.from({ length: 60 }, (_, i) => frame(`SAY\0spam ${i}\0`))]));
    await scrapeUntil(url, /^ims_errors_total\{code="FLOOD"\} [1-9]\d*$/m);
    // A fourth connection from one address, over --max-connections-per-ip 3; the three idle ones time out.
    for (let i = 0; i < 3; i++) await dial(port, '127.0.0.15');
    const fourth = await dial(port, '127.0.0.15');
    await new Promise<void>((resolve) => fourth.once('close', () => resolve()));
    expect(fourth.got()).toContain('MAX_CONNECTIONS_PER_IP');
    await scrapeUntil(url, /^ims_errors_total\{code="MAX_CONNECTIONS_PER_IP"\} 1$/m);
    await scrapeUntil(url, /^ims_errors_total\{code="IDLE_TIMEOUT"\} [3-9]$/m);

    // Discovery: garbage, an oversize datagram, a peer ID claimed from a second address, a flood from one source.
    const honest = await loopbackSender('127.0.0.1');
    const other = await loopbackSender('127.0.0.2');
    cleanup.push(() => honest.close(), () => other.close());
    await honest.send(Uint8Array.of(1, 2, 3), dport);
    await honest.send(new Uint8Array(2_000).fill(65), dport);
    const peer = encodePdu({ peerId: 'peer-x', options: [{ type: 'CLIENT_NICK', nick: 'x' }] });
    await honest.send(peer, dport);
    await scrapeUntil(url, /^ims_discovery_peers [1-9]$/m);
    await other.send(peer, dport);
    for (let i = 0; i < 400; i++) await other.send(Uint8Array.of(9, 9, 9, i & 0xff), dport);
    for (const cause of ['malformed', 'oversize', 'addressConflicts', 'rateLimited']) {
      await scrapeUntil(url, new RegExp(`^ims_discovery_abuse_total\\{cause="${cause}"\\} [1-9]\\d*$`, 'm'));
    }

    // One warn line for the ten bad frames of 127.0.0.11; one per cause for the datagram flood of 127.0.0.2.
    const refusedBad = server.lines.filter((l) => l.event === 'host.refused' && String(l['peer']).startsWith('127.0.0.11:'));
    expect(refusedBad).toHaveLength(1);
    const rateLines = server.lines.filter((l) => l.event === 'discovery.rateLimited');
    expect(rateLines.length).toBe(1);
  });
});
