import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@ims/app-kit';
import type { ServerCommand } from '@ims/codec';
import { FakeStore } from '../test/fake-store.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { type MemoryClient, isError, isSay, isStandby } from '../test/memory-client.js';
import { memoryHistoryStore } from './history-store.js';

afterEach(stopAll);

const GARBAGE = Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0); // "FOO": UNKNOWN_COMMAND, not fatal
const texts = (c: MemoryClient): string[] => c.commands().flatMap((x) => (x.cmd === 'SAY' ? [x.text] : []));
/** Every SAY echo and ERROR a client got, as one line each, in order. */
const replies = (c: MemoryClient): string[] =>
  c.commands().flatMap((x: ServerCommand) => (x.cmd === 'SAY' ? [`SAY ${x.text}`] : x.cmd === 'ERROR' ? [`ERROR ${x.reason.split(':')[0]}`] : []));

/** A world with a FakeStore, two members of #s, and the log lines. */
async function setup() {
  const w = hostWorld();
  const store = new FakeStore();
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', stream: { write: (l) => lines.push(l) } });
  const svc = await w.start({}, { store, logger });
  const a = await w.joined(svc, '#s', 'alice');
  const b = await w.joined(svc, '#s', 'bob');
  return { w, store, svc, a, b, lines };
}

describe('host service: durable acknowledgement (group commit per turn)', () => {
  it('sends no echo before the post is committed, and one commit for the posts of a turn', async () => {
    const { w, store, svc, a, b } = await setup();
    const seenAtCommit: string[][] = [];
    store.onCommit = () => seenAtCommit.push([...texts(a), ...texts(b)]);
    const framesBefore = svc.stats().framesOut;
    a.send({ cmd: 'SAY', text: 'one' }, { cmd: 'SAY', text: 'two' });
    b.send({ cmd: 'SAY', text: 'three' });
    await a.next(isSay('three'));
    await w.vt.settle();
    expect(seenAtCommit).toEqual([[]]);
    expect(store.commits).toEqual([3]);
    expect(store.stored('#s')).toEqual(['one', 'two', 'three']);
    expect(texts(a)).toEqual(['one', 'two', 'three']);
    expect(texts(b)).toEqual(['one', 'two', 'three']);
    // The turn's three posts went to each member as one write, and count as the frames they are.
    expect(svc.stats().framesOut - framesBefore).toBe(6);
  });

  it('keeps each connection in order behind a held echo: the ERROR after a SAY, and the close after EXIT', async () => {
    const { w, a, b } = await setup();
    a.send({ cmd: 'SAY', text: 'first' });
    a.sendRaw(GARBAGE);
    a.send({ cmd: 'SAY', text: 'last' }, { cmd: 'EXIT' });
    await a.waitClosed();
    expect(replies(a)).toEqual(['SAY first', 'ERROR UNKNOWN_COMMAND', 'SAY last']);
    await w.vt.settle();
    expect(texts(b)).toEqual(['first', 'last']);
  });

  it('works with the memory store too (the embedded host): echoes go out, the history is kept', async () => {
    const w = hostWorld();
    const store = memoryHistoryStore();
    const svc = await w.start({}, { store });
    const a = await w.joined(svc, '#m', 'alice');
    a.send({ cmd: 'SAY', text: 'kept' });
    await a.next(isSay('kept'));
    expect(store.loadAll(10).get('#m')?.map((p) => p.text)).toEqual(['kept']);
    expect(svc.stats().store).toEqual({ writable: true, committedPosts: 1, refusedPosts: 0, failedCommits: 0 });
  });
});

describe('host service: store failure refuses posts instead of acknowledging them', () => {
  it('answers STORE_UNAVAILABLE in place of the echo, broadcasts nothing, and a newcomer never sees the post', async () => {
    const { w, store, svc, a, b, lines } = await setup();
    a.send({ cmd: 'SAY', text: 'ok' });
    await b.next(isSay('ok'));
    store.failing = true;
    a.send({ cmd: 'SAY', text: 'lost 1' }, { cmd: 'SAY', text: 'lost 2' });
    await w.vt.settle();
    expect(replies(a)).toEqual(['SAY ok', 'ERROR STORE_UNAVAILABLE', 'ERROR STORE_UNAVAILABLE']);
    expect(texts(b)).toEqual(['ok']);
    const c = await w.joined(svc, '#s', 'carol');
    expect(texts(c)).toEqual(['ok']);
    expect(svc.stats().store).toEqual({ writable: false, committedPosts: 1, refusedPosts: 2, failedCommits: 1 });
    expect(lines.filter((l) => l.includes('host.store_unavailable'))).toHaveLength(1);
  });

  it('refuses SAYs before the reducer while failing, probes once a second, and recovers by itself', async () => {
    const { w, store, svc, a, b, lines } = await setup();
    store.failing = true;
    a.send({ cmd: 'SAY', text: 'lost' });
    await a.next(isError('STORE_UNAVAILABLE'));
    // Within the probe interval nothing reaches the store: refused at once, in order.
    a.send({ cmd: 'SAY', text: 'refused 1' }, { cmd: 'SAY', text: 'refused 2' });
    await w.vt.settle();
    expect(store.appended).toEqual(['lost']);
    await w.vt.advance(1_000);
    a.send({ cmd: 'SAY', text: 'probe fails' }, { cmd: 'SAY', text: 'refused 3' });
    await w.vt.settle();
    expect(store.appended).toEqual(['lost', 'probe fails']);
    store.failing = false;
    await w.vt.advance(999);
    a.send({ cmd: 'SAY', text: 'refused 4' });
    await w.vt.advance(1);
    a.send({ cmd: 'SAY', text: 'probe ok' }, { cmd: 'SAY', text: 'refused 5' });
    await w.vt.settle();
    a.send({ cmd: 'SAY', text: 'back' });
    await b.next(isSay('back'));
    expect(replies(a).filter((r) => r.startsWith('SAY'))).toEqual(['SAY probe ok', 'SAY back']);
    expect(replies(a)).toHaveLength(9); // one reply per SAY
    expect(texts(b)).toEqual(['probe ok', 'back']);
    expect(store.stored('#s')).toEqual(['probe ok', 'back']);
    expect(svc.stats().store).toMatchObject({ writable: true, refusedPosts: 7, failedCommits: 2 });
    expect(lines.filter((l) => l.includes('host.store_'))).toEqual([expect.stringContaining('host.store_unavailable'), expect.stringContaining('host.store_recovered')]);
  });

  it('answers a failed post before closing an author that left in the same turn', async () => {
    const { store, a, b } = await setup();
    store.failing = true;
    b.send({ cmd: 'SAY', text: 'bye' }, { cmd: 'EXIT' });
    await b.waitClosed();
    expect(replies(b)).toEqual(['ERROR STORE_UNAVAILABLE']);
    expect(texts(a)).toEqual([]);
  });

  it('keeps serving JOINs while failing: the history it has is still sent', async () => {
    const { w, store, svc, a } = await setup();
    a.send({ cmd: 'SAY', text: 'before' });
    await a.next(isSay('before'));
    store.failing = true;
    const c = await w.client(svc);
    c.send({ cmd: 'JOIN', channel: '#s', clientId: 'carol' });
    await c.next(isStandby);
    expect(texts(c)).toEqual(['before']);
  });
});
