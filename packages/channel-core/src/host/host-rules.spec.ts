import { describe, expect, it } from 'vitest';
import { codecError, errorCodes, harness, noLogs, peer, received } from './host-harness.js';

describe('host: private channels', () => {
  it('admits the creator and invited peers only, and never announces them', () => {
    const h = harness();
    const created = h.join('c1', '@p', 'alice');
    expect(created.some((e) => e.kind === 'channels')).toBe(false);
    const refused = h.join('c2', '@p', 'mallory');
    expect(errorCodes(refused)).toEqual(['NOT_INVITED']);
    expect(refused).toContainEqual({ kind: 'close', conn: 'c2', reason: 'NOT_INVITED' });
    expect(noLogs(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob', 'bob'] }))).toEqual([
      { kind: 'admit', channel: '@p', ids: ['bob'] },
      { kind: 'invite', channel: '@p', clientIds: ['bob'] },
    ]);
    expect(errorCodes(h.join('c3', '@p', 'bob'))).toEqual([]);
    expect(h.host.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['alice', 'bob']);
    expect(noLogs(h.closed('c1')).some((e) => e.kind === 'channels')).toBe(false);
  });

  it('keeps the admission list of a closed private channel', () => {
    const h = harness();
    h.join('c1', '@p', 'alice');
    h.closed('c1');
    expect(errorCodes(h.join('c2', '@p', 'mallory'))).toEqual(['NOT_INVITED']);
    expect(errorCodes(h.join('c3', '@p', 'alice'))).toEqual([]);
  });

  it('bounds the admission list', () => {
    const h = harness({ maxAdmittedPerChannel: 2 });
    h.join('c1', '@p', 'alice');
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ['b', 'c'] }))).toEqual(['ADMISSION_FULL']);
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ['b'] }))).toEqual([]);
  });

  it('INVITE on a public channel only multicasts', () => {
    const h = harness();
    h.peers(peer('bob'));
    h.join('c1', '#a', 'alice');
    expect(noLogs(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }))).toEqual([{ kind: 'invite', channel: '#a', clientIds: ['bob'] }]);
  });
});

describe('host: limits and bad input', () => {
  it('refuses and closes a JOIN that would exceed maxChannels', () => {
    const h = harness({ maxChannels: 1 });
    h.join('c1', '#a', 'alice');
    const fx = h.join('c2', '#b', 'bob');
    expect(errorCodes(fx)).toEqual(['TOO_MANY_CHANNELS']);
    expect(fx).toContainEqual({ kind: 'close', conn: 'c2', reason: 'TOO_MANY_CHANNELS' });
    expect(errorCodes(h.join('c3', '#a', 'carol'))).toEqual([]);
  });

  it('refuses and closes a JOIN to a full channel', () => {
    const h = harness({ maxMembersPerChannel: 1 });
    h.join('c1', '#a', 'alice');
    const fx = h.join('c2', '#a', 'bob');
    expect(errorCodes(fx)).toEqual(['CHANNEL_FULL']);
    expect(fx).toContainEqual({ kind: 'close', conn: 'c2', reason: 'CHANNEL_FULL' });
  });

  it('answers a bad frame with ERROR carrying the codec code, and keeps the connection', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    const fx = h.host.handle({ kind: 'bad-frame', conn: 'c1', error: codecError('UNKNOWN_COMMAND', 'unknown command FOO') });
    expect(noLogs(fx)).toEqual([{ kind: 'send', conn: 'c1', command: { cmd: 'ERROR', reason: 'UNKNOWN_COMMAND: unknown command FOO' } }]);
    expect(fx).toContainEqual({
      kind: 'log', level: 'warn', event: 'refused',
      fields: { conn: 'c1', peer: 'alice', channel: '#a', code: 'UNKNOWN_COMMAND', message: 'unknown command FOO' },
    });
  });

  it('rejects invalid limits at construction', () => {
    expect(() => harness({ historyLimit: -1 })).toThrow(RangeError);
    expect(() => harness({ maxChannels: 1.5 })).toThrow(RangeError);
  });
});

describe('host: takeover (archive input)', () => {
  it('starts a channel created by JOIN with the archived history, keeping its name', () => {
    const h = harness({ historyLimit: 2 });
    const posts = [1, 2, 3].map((i) => ({ authorId: 'old', text: `p${i}`, at: i }));
    h.host.handle({ kind: 'archive', channel: '#a', posts });
    const fx = h.join('c1', '#a', 'alice');
    expect(received(fx, 'c1')).toEqual([
      { cmd: 'SAY', authorId: 'old', text: 'p2', at: 2 },
      { cmd: 'SAY', authorId: 'old', text: 'p3', at: 3 },
      { cmd: 'STANDBY', peerId: 'H' },
    ]);
    expect(h.host.snapshot().archivedChannels).toBe(0);
  });

  it('admits anyone to a private channel taken over from an archive (the admission list is unknown)', () => {
    const h = harness();
    h.host.handle({ kind: 'archive', channel: '@p', posts: [] });
    h.join('c1', '@p', 'alice');
    expect(errorCodes(h.join('c2', '@p', 'bob'))).toEqual([]);
  });
});


describe('host: robustness', () => {
  it('adopts a connection it was never told about, and ignores closing an unknown one', () => {
    const h = harness();
    const fx = h.frame('ghost', { cmd: 'JOIN', channel: '#a', clientId: 'alice' });
    expect(fx).toContainEqual({ kind: 'log', level: 'debug', event: 'conn-adopted', fields: { conn: 'ghost' } });
    expect(h.host.snapshot().channels[0]?.members).toEqual([{ id: 'alice', conn: 'ghost', joinedAt: 1_000 }]);
    expect(h.closed('nobody')).toEqual([]);
  });

  it('keeps serving the others when one connection misbehaves', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.frame('c2', { cmd: 'JOIN', channel: '#b', clientId: 'bob' });
    h.host.handle({ kind: 'bad-frame', conn: 'c2', error: codecError('BAD_UTF8', 'text is not UTF-8') });
    expect(h.say('c1', 'still here')[0]).toEqual({ kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'SAY', authorId: 'alice', text: 'still here' } });
  });

  it('forgets a closed connection, so the host holds no state for it', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.open('c2');
    h.closed('c1');
    h.closed('c2');
    expect(h.host.snapshot()).toMatchObject({ channels: [], connections: 0 });
  });
});

describe('host: partition heal (docs/architecture.md)', () => {
  it('stops announcing a channel a smaller host ID announces, and resumes when that host goes', () => {
    const h = harness({ hostId: 'M' });
    h.join('c1', '#a', 'alice');
    h.join('c2', '#b', 'bob');
    const winner = peer('A', { canHost: true, isClient: false, channels: ['#a'] });
    expect(noLogs(h.peers(winner, peer('Z', { canHost: true, channels: ['#b'] })))).toEqual([{ kind: 'channels', public: ['#b'] }]);
    // Members keep being served until they move; the channel closes with its last member.
    expect(h.say('c1', 'still')[0]).toMatchObject({ kind: 'broadcast', conns: ['c1'] });
    expect(noLogs(h.peers(winner))).toEqual([]);
    expect(noLogs(h.peers({ ...winner, alive: false }))).toEqual([{ kind: 'channels', public: ['#a', '#b'] }]);
  });

  it('does not announce a channel created while a smaller host announces it', () => {
    const h = harness({ hostId: 'M' });
    h.peers(peer('A', { canHost: true, channels: ['#a'] }));
    expect(noLogs(h.join('c1', '#a', 'alice'))[0]).toEqual({ kind: 'channels', public: [] });
  });
});
