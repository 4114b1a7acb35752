import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { EventLog } from './event-log.js';
import { waitFor } from './wait-for.js';

const room = new Map([['alice', '#room']]);

function scheduler() {
  return new TestScheduler((a, b) => expect(a).toEqual(b));
}

describe('waitFor (virtual time)', () => {
  it('resolves once an event makes the condition hold', async () => {
    const ts = scheduler();
    const log = new EventLog();
    let result: Promise<{ ok: boolean; detail: string }> | undefined;
    ts.run(({ flush }) => {
      log.push('alice', 'netsim', 'start');
      result = waitFor(log, { kind: 'joined', hosts: ['alice'] }, room, 1_000, new AbortController().signal);
      ts.schedule(() => log.push('alice', 'app', 'joined', { host: 's1' }), 300);
      flush();
    });
    await expect(result).resolves.toEqual({ ok: true, detail: 'ok' });
  });

  it('resolves with what is missing at the deadline', async () => {
    const ts = scheduler();
    const log = new EventLog();
    let result: Promise<{ ok: boolean; detail: string }> | undefined;
    ts.run(({ flush }) => {
      log.push('alice', 'netsim', 'start');
      result = waitFor(log, { kind: 'joined', hosts: ['alice'] }, room, 1_000, new AbortController().signal);
      ts.schedule(() => log.push('alice', 'app', 'joined', { host: 's1' }), 1_500);
      flush();
    });
    await expect(result).resolves.toEqual({ ok: false, detail: 'not joined: alice (no host)' });
  });

  it('gives up when the run is aborted', async () => {
    const log = new EventLog();
    const abort = new AbortController();
    abort.abort();
    await expect(waitFor(log, { kind: 'delivered' }, room, 60_000, abort.signal)).resolves.toEqual({ ok: false, detail: 'aborted' });
  });
});
