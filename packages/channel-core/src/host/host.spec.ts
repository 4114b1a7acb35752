import { describe, expect, it } from 'vitest';
import { errorCodes, harness, noLogs, peer, received } from './host-harness.js';

describe('host: JOIN', () => {
  it('creates a public channel: announces it, then STANDBY naming the host', () => {
    const h = harness();
    expect(noLogs(h.join('c1', '#a', 'alice'))).toEqual([
      { kind: 'channels', public: ['#a'] },
      { kind: 'send', conn: 'c1', command: { cmd: 'STANDBY', peerId: 'H' } },
    ]);
    expect(h.host.snapshot().channels).toEqual([
      { name: '#a', private: false, members: [{ id: 'alice', conn: 'c1', joinedAt: 1_001 }], standby: 'H', successors: [], historyLength: 0 },
    ]);
  });

  it('sends the history to the new member only, then its STANDBY; the others get none while the standby stays', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'one');
    h.say('c1', 'two');
    const fx = h.join('c2', '#a', 'bob');
    expect(noLogs(fx)).toEqual([
      {
        kind: 'replay',
        conn: 'c2',
        posts: [
          { authorId: 'alice', text: 'one', at: 1_001 },
          { authorId: 'alice', text: 'two', at: 1_001 },
        ],
      },
      { kind: 'send', conn: 'c2', command: { cmd: 'STANDBY', peerId: 'H' } },
    ]);
  });

  it('sends STANDBY to every member when a JOIN changes the standby (docs/protocol.md §5.3)', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.peers(peer('bob', { canHost: true }));
    const fx = h.join('c2', '#a', 'bob');
    expect(noLogs(fx)).toEqual([{ kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'STANDBY', peerId: 'bob' } }]);
  });

  it('ignores a repeated JOIN of the same channel on the same connection', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    expect(noLogs(h.frame('c1', { cmd: 'JOIN', channel: '#a', clientId: 'alice' }))).toEqual([]);
    expect(h.host.snapshot().channels[0]?.members).toHaveLength(1);
  });

  it('refuses a second channel on one connection, without closing it', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    const fx = h.frame('c1', { cmd: 'JOIN', channel: '#b', clientId: 'alice' });
    expect(errorCodes(fx)).toEqual(['ONE_CHANNEL_PER_CONNECTION']);
    expect(fx.some((e) => e.kind === 'close')).toBe(false);
    expect(h.host.snapshot().channels.map((c) => c.name)).toEqual(['#a']);
  });

  it('refuses a name that is neither public nor private', () => {
    const h = harness();
    h.open('c1');
    for (const channel of ['lobby', '#', '#a b', `#${'x'.repeat(200)}`]) expect(errorCodes(h.frame('c1', { cmd: 'JOIN', channel }))).toEqual(['BAD_CHANNEL_NAME']);
    expect(h.host.snapshot().channels).toEqual([]);
  });

  it('moves a member that rejoins on a newer connection, closing the older one, once discovery shows it moved there', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.peers(peer('alice', { address: '10.0.0.2' }));
    h.open('c3', '10.0.0.2');
    h.tick();
    const fx = h.frame('c3', { cmd: 'JOIN', channel: '#a', clientId: 'alice' });
    expect(fx).toContainEqual({ kind: 'close', conn: 'c1', reason: 'REPLACED' });
    expect(received(fx, 'c3').at(-1)).toEqual({ cmd: 'STANDBY', peerId: 'H' });
    const members = h.host.snapshot().channels[0]?.members;
    expect(members).toEqual([
      { id: 'alice', conn: 'c3', joinedAt: 1_001 },
      { id: 'bob', conn: 'c2', joinedAt: 1_002 },
    ]);
    // The old connection's close no longer removes alice.
    h.closed('c1');
    expect(h.host.snapshot().channels[0]?.members).toHaveLength(2);
  });
});

describe('host: member identity (docs/protocol.md §2)', () => {
  it('uses the clientId of JOIN', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    expect(h.host.snapshot().channels[0]?.members[0]?.id).toBe('alice');
  });

  it('falls back to the one alive client peer at that address', () => {
    const h = harness();
    h.peers(peer('bob', { address: '10.0.0.2' }), peer('srv', { address: '10.0.0.2', isClient: false, canHost: true }));
    h.open('c1', '10.0.0.2');
    h.frame('c1', { cmd: 'JOIN', channel: '#a' });
    expect(h.host.snapshot().channels[0]?.members[0]?.id).toBe('bob');
  });

  it('falls back to ip:port when several clients share the address', () => {
    const h = harness();
    h.peers(peer('bob', { address: '10.0.0.2' }), peer('carol', { address: '10.0.0.2' }));
    h.open('c1', '10.0.0.2');
    h.frame('c1', { cmd: 'JOIN', channel: '#a' });
    expect(h.host.snapshot().channels[0]?.members[0]?.id).toBe('10.0.0.2:50000');
  });

  it('never takes the address\'s client peer for a JOIN without clientId while that peer is connected to the channel (another implementation on the same machine)', () => {
    const h = harness();
    h.peers(peer('bob', { address: '10.0.0.2' }));
    h.open('c1', '10.0.0.2');
    h.frame('c1', { cmd: 'JOIN', channel: '#a', clientId: 'bob' });
    h.open('c2', '10.0.0.2');
    const fx = h.frame('c2', { cmd: 'JOIN', channel: '#a' });
    expect(errorCodes(fx)).toEqual([]);
    expect(fx.some((e) => e.kind === 'wake' || e.kind === 'close')).toBe(false);
    expect(h.host.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['bob', '10.0.0.2:50001']);
  });

  it('ignores a client peer that is not alive', () => {
    const h = harness();
    h.peers(peer('bob', { address: '10.0.0.2', alive: false }));
    h.open('c1', '10.0.0.2');
    h.frame('c1', { cmd: 'JOIN', channel: '#a' });
    expect(h.host.snapshot().channels[0]?.members[0]?.id).toBe('10.0.0.2:50000');
  });
});

describe('host: SAY', () => {
  it('fans out once to every member, author included, and persists', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.tick(5);
    expect(h.say('c2', 'hi')).toEqual([
      { kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'SAY', authorId: 'bob', text: 'hi' } },
      { kind: 'persist', channel: '#a', post: { authorId: 'bob', text: 'hi', at: 1_007 } },
    ]);
  });

  it('keeps at most historyLimit posts, dropping the oldest', () => {
    const h = harness({ historyLimit: 2 });
    h.join('c1', '#a', 'alice');
    for (const t of ['1', '2', '3']) h.say('c1', t);
    expect(received(h.join('c2', '#a', 'bob'), 'c2')).toEqual([
      { cmd: 'SAY', authorId: 'alice', text: '2', at: 1_001 },
      { cmd: 'SAY', authorId: 'alice', text: '3', at: 1_001 },
      { cmd: 'STANDBY', peerId: 'H' },
    ]);
  });

  it('refuses SAY, INVITE and EXIT before JOIN', () => {
    const h = harness();
    h.open('c1');
    expect(errorCodes(h.say('c1', 'x'))).toEqual(['NOT_JOINED']);
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }))).toEqual(['NOT_JOINED']);
    const fx = h.frame('c1', { cmd: 'EXIT' });
    expect(errorCodes(fx)).toEqual(['NOT_JOINED']);
    expect(fx).toContainEqual({ kind: 'close', conn: 'c1', reason: 'NOT_JOINED' });
  });

  it('logs every ERROR at warn with conn, peer, channel and code', () => {
    const h = harness();
    h.open('c1');
    const logs = h.say('c1', 'x').filter((e) => e.kind === 'log');
    expect(logs).toEqual([
      { kind: 'log', level: 'warn', event: 'refused', fields: { conn: 'c1', peer: '127.0.0.1:50000', channel: undefined, code: 'NOT_JOINED', message: 'SAY before JOIN' } },
    ]);
  });
});

describe('host: EXIT, loss and empty channels', () => {
  it('EXIT removes the member, closes the connection and re-picks a lost standby', () => {
    const h = harness();
    h.peers(peer('bob', { canHost: true }), peer('carol', { canHost: true }));
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.join('c3', '#a', 'carol');
    expect(h.host.snapshot().channels[0]?.standby).toBe('bob');
    expect(noLogs(h.frame('c2', { cmd: 'EXIT' }))).toEqual([
      { kind: 'broadcast', conns: ['c1', 'c3'], command: { cmd: 'STANDBY', peerId: 'carol' } },
      { kind: 'close', conn: 'c2', reason: 'exit' },
    ]);
  });

  it('a non-standby leaving announces nothing', () => {
    const h = harness();
    h.peers(peer('bob', { canHost: true }));
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.join('c3', '#a', 'carol');
    expect(noLogs(h.closed('c3'))).toEqual([]);
  });

  it('drops frames on a connection it already closed', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.frame('c1', { cmd: 'EXIT' });
    expect(noLogs(h.say('c1', 'late'))).toEqual([]);
  });

  it('closes an empty channel, unannounces it, and restarts it later with its history', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#b', 'bob');
    h.say('c1', 'kept');
    expect(noLogs(h.closed('c1'))).toEqual([{ kind: 'channels', public: ['#b'] }]);
    expect(h.host.snapshot().archivedChannels).toBe(1);
    expect(received(h.join('c3', '#a', 'carol'), 'c3')[0]).toEqual({ cmd: 'SAY', authorId: 'alice', text: 'kept', at: 1_002 });
  });

  it('forgets the oldest archive beyond maxArchivedChannels', () => {
    const h = harness({ maxArchivedChannels: 1 });
    h.host.handle({ kind: 'archive', channel: '#a', posts: [{ authorId: 'x', text: 'a', at: 1 }] });
    h.host.handle({ kind: 'archive', channel: '#b', posts: [{ authorId: 'x', text: 'b', at: 1 }] });
    expect(h.host.snapshot().archivedChannels).toBe(1);
    expect(received(h.join('c1', '#a', 'alice'), 'c1')).toEqual([{ cmd: 'STANDBY', peerId: 'H' }]);
    expect(received(h.join('c2', '#b', 'bob'), 'c2')[0]).toEqual({ cmd: 'SAY', authorId: 'x', text: 'b', at: 1 });
  });
});

describe('host: standby (docs/protocol.md §5)', () => {
  it('prefers dedicated, then fewest channels, then longest-joined, never the host', () => {
    const h = harness();
    h.peers(peer('H', { canHost: true, dedicated: true }), peer('b', { canHost: true, hostedChannels: 3 }), peer('c', { canHost: true, hostedChannels: 1 }));
    h.join('c0', '#a', 'H');
    h.join('c1', '#a', 'b');
    expect(h.host.snapshot().channels[0]?.standby).toBe('b');
    h.join('c2', '#a', 'c');
    expect(h.host.snapshot().channels[0]?.standby).toBe('c');
    const fx = h.join('c3', '#a', 'd');
    expect(received(fx, 'c3')).toEqual([{ cmd: 'STANDBY', peerId: 'c', successors: ['b'] }]);
  });

  it('replaces a standby that stops being alive, and does not flap on count changes', () => {
    const h = harness();
    h.peers(peer('b', { canHost: true }), peer('c', { canHost: true, hostedChannels: 2 }));
    h.join('c1', '#a', 'b');
    h.join('c2', '#a', 'c');
    expect(h.host.snapshot().channels[0]?.standby).toBe('b');
    // c becomes the better candidate by count: no re-pick without join/leave/loss.
    expect(noLogs(h.peers(peer('b', { canHost: true, hostedChannels: 5 }), peer('c', { canHost: true })))).toEqual([]);
    expect(noLogs(h.peers(peer('b', { canHost: true, alive: false }), peer('c', { canHost: true })))).toEqual([
      { kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'STANDBY', peerId: 'c' } },
    ]);
  });

  it('names the host itself when no member can host, and picks one when it appears', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    expect(h.host.snapshot().channels[0]?.standby).toBe('H');
    expect(noLogs(h.peers(peer('zed', { canHost: true })))).toEqual([]);
    expect(noLogs(h.peers(peer('zed', { canHost: true }), peer('bob', { canHost: true })))).toEqual([
      { kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'STANDBY', peerId: 'bob' } },
    ]);
    expect(noLogs(h.peers())).toEqual([{ kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'STANDBY', peerId: 'H' } }]);
  });
});
