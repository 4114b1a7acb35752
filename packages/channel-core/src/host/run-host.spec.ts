import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { filter } from 'rxjs';
import type { HostEffect, HostInput } from '../types.js';
import { runHost } from './run-host.js';

describe('runHost', () => {
  it('stamps posts with scheduler time and emits effects in order, one host per subscription', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const inputs: Record<string, HostInput> = {
        o: { kind: 'opened', conn: 'c1', remote: { address: '127.0.0.1', port: 1 } },
        j: { kind: 'frame', conn: 'c1', command: { cmd: 'JOIN', channel: '#a', clientId: 'alice' } },
        s: { kind: 'frame', conn: 'c1', command: { cmd: 'SAY', text: 'hi' } },
      };
      const effects$ = runHost(cold('o-j 7ms (s|)', inputs), { hostId: 'H', scheduler }).pipe(
        filter((e) => e.kind !== 'log'),
      );
      const expected: Record<string, HostEffect> = {
        a: { kind: 'channels', public: ['#a'] },
        b: { kind: 'broadcast', conns: ['c1'], command: { cmd: 'STANDBY', peerId: 'H' } },
        c: { kind: 'broadcast', conns: ['c1'], command: { cmd: 'SAY', authorId: 'alice', text: 'hi' } },
        d: { kind: 'persist', channel: '#a', post: { authorId: 'alice', text: 'hi', at: 10 } },
      };
      expectObservable(effects$).toBe('--(ab) 4ms (cd|)', expected);
      // A second subscription starts from an empty host: same effects, no shared state.
      expectObservable(effects$).toBe('--(ab) 4ms (cd|)', expected);
    });
  });
});

describe('runHost: lifetime', () => {
  it('unsubscribes from its inputs when its subscriber does', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ hot, expectObservable, expectSubscriptions }) => {
      const inputs$ = hot<HostInput>('--a--', { a: { kind: 'closed', conn: 'c1' } });
      expectObservable(runHost(inputs$, { hostId: 'H' }), '^---!').toBe('');
      expectSubscriptions(inputs$.subscriptions).toBe('^---!');
    });
  });
});
