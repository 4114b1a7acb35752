import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { MAX_CHANNEL_NAME_BYTES } from '@ims/codec';
import { discover } from './discover.js';
import type { Lobby } from './lobby.js';
import { memoryNetwork } from './memory-network.js';

const I = 1_000;

/** Two peers on a memory network in virtual time: `srv` announces `channels`, `ann` listens. */
function announce(channels: readonly string[]) {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  const lobbies: Lobby[] = [];
  let sent = { srv: 0, datagrams: 0, encodeErrors: 0, filtered: 0 };
  ts.run(() => {
    const net = memoryNetwork({ scheduler: ts });
    const srv = discover(net.port({ address: '10.0.0.1' }), { peerId: 'srv', intervalMs: I, scheduler: ts, server: { port: 50_000, channels } });
    const ann = discover(net.port({ address: '10.0.0.2' }), { peerId: 'ann', intervalMs: I, scheduler: ts, nick: 'ann' });
    ann.lobby$.subscribe((l) => lobbies.push(l));
    ts.schedule(() => {
      const s = srv.stats();
      sent = { srv: s.announcements, datagrams: s.sentDatagrams, encodeErrors: s.encodeErrors, filtered: s.channelsFiltered };
      srv.close();
      ann.close();
    }, 2.5 * I);
  });
  return { lobby: lobbies.at(-1), sent };
}

describe('discover(): no single channel silences the announcement (docs/protocol.md §3.6)', () => {
  it('a host asked to announce a 1,500-byte channel still announces itself and its other channels', () => {
    const { lobby, sent } = announce(['#ok', `#${'x'.repeat(1_499)}`]);
    expect(lobby?.servers.map((s) => [s.id, s.channels])).toEqual([['srv', ['#ok']]]);
    expect(sent.datagrams).toBeGreaterThanOrEqual(sent.srv);
    expect(sent.encodeErrors).toBe(0);
    expect(sent.filtered).toBe(1);
  });

  it('300 channels of the longest name are split over datagrams and all reach the listener', () => {
    const names = Array.from({ length: 300 }, (_, i) => `#${String(i).padStart(3, '0')}${'n'.repeat(MAX_CHANNEL_NAME_BYTES - 4)}`);
    const { lobby, sent } = announce(names);
    expect(lobby?.servers[0]?.channels).toEqual([...names].sort());
    // 201 bytes each beside the 7 of peer ID and port: 6 a datagram, so 50 datagrams an announcement.
    expect(sent.datagrams).toBe(50 * sent.srv);
  });
});
