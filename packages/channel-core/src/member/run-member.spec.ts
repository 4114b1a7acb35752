import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { filter, map, merge, type Observable } from 'rxjs';
import type { LobbyHost, MemberEffect, MemberInput, MemberTarget } from './member-types.js';
import { runMember } from './run-member.js';

const H: MemberTarget = { peerId: 'H', address: '127.0.0.1', port: 50_001 };
const S: MemberTarget = { peerId: 'S', address: '127.0.0.1', port: 50_002 };
const host = (t: MemberTarget, state: LobbyHost['state']): LobbyHost => ({ id: t.peerId, address: t.address, port: t.port, state, channels: ['#a'] });

describe('runMember: timer path in virtual time', () => {
  it('fails over exactly when the lobby reports the host disconnected, not while it is suspect', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      // Lobby every 2 s (one PDU interval): H suspect at 2 s, alive again at 4 s, then silent:
      // suspect at 6 s, disconnected at 10 s (three intervals without a PDU since 4 s).
      const session: Observable<MemberInput> = cold('(jcs)', {
        j: { kind: 'join', target: H },
        c: { kind: 'connected' },
        s: { kind: 'frame', command: { cmd: 'STANDBY', peerId: 'S' }, at: 0 },
      });
      const lobby = cold('a 1999ms m 1999ms a 1999ms m 3999ms d', {
        a: [host(H, 'alive'), host(S, 'alive')],
        m: [host(H, 'maybeDisconnected'), host(S, 'alive')],
        d: [host(H, 'disconnected'), host(S, 'alive')],
      }).pipe(map((hosts): MemberInput => ({ kind: 'lobby', hosts })));
      const dials$ = runMember(merge(session, lobby), { selfId: 'me', channel: '#a' }).pipe(
        filter((e: MemberEffect) => e.kind === 'connect' || e.kind === 'disconnect'),
      );
      expectObservable(dials$).toBe('c 9999ms (dC)', {
        c: { kind: 'connect', target: H },
        d: { kind: 'disconnect' },
        C: { kind: 'connect', target: S },
      });
    });
  });
});

describe('runMember: lifetime', () => {
  it('unsubscribes from its inputs when its subscriber does', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ hot, expectObservable, expectSubscriptions }) => {
      const inputs$ = hot<MemberInput>('--a--', { a: { kind: 'join', target: H } });
      expectObservable(runMember(inputs$, { selfId: 'me', channel: '#a' }), '^---!').toBe('--c', { c: { kind: 'connect', target: H } });
      expectSubscriptions(inputs$.subscriptions).toBe('^---!');
    });
  });
});
