/** Admission lists of private channels through the host service: stored, loaded at start, learned for a takeover (docs/protocol.md §8). */
import { afterEach, describe, expect, it } from 'vitest';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError } from '../test/memory-client.js';
import { type CommitResult, type HistoryStore, memoryHistoryStore } from './history-store.js';

afterEach(stopAll);

/** A memory store whose next `failures` commits fail (store nothing, the queue dropped as a real store does). */
function flakyStore(failures: number): HistoryStore & { commits: number; loadAdmissions(): Map<string, string[]> } {
  const inner = memoryHistoryStore();
  let queued: { channel: string; ids: readonly string[] }[] = [];
  const store = {
    commits: 0,
    loadAll: (limit: number) => inner.loadAll(limit),
    loadAdmissions: () => inner.loadAdmissions?.() ?? new Map<string, string[]>(),
    append: (channel: string, post: Parameters<HistoryStore['append']>[1]) => inner.append(channel, post),
    admit: (channel: string, ids: readonly string[]) => void queued.push({ channel, ids }),
    commit(): CommitResult {
      store.commits++;
      const batch = queued;
      queued = [];
      if (failures-- > 0) return { ok: false, posts: 0, error: new Error('EIO') };
      for (const a of batch) inner.admit?.(a.channel, a.ids);
      return inner.commit();
    },
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
  return store;
}

describe('host service: admission lists (docs/protocol.md §8)', () => {
  it('a restarted host with the same store refuses a stranger with NOT_INVITED and admits the invited', async () => {
    const w = hostWorld();
    const store = memoryHistoryStore();
    const first = await w.start({}, { store });
    const alice = await w.joined(first, '@team', 'alice');
    alice.send({ cmd: 'INVITE', clientIds: ['bob'] });
    await w.vt.settle();
    expect(store.loadAdmissions?.()).toEqual(new Map([['@team', ['alice', 'bob']]]));
    await w.vt.until(first.stop());

    const second = await w.start({}, { store });
    expect(second.snapshot().privateChannels).toBe(1);
    const mallory = await w.client(second);
    mallory.send({ cmd: 'JOIN', channel: '@team', clientId: 'mallory' });
    expect(await mallory.next(isError())).toMatchObject({ reason: expect.stringMatching(/^NOT_INVITED:/) });
    await w.joined(second, '@team', 'bob');
  });

  it('a list learned with the archive (as standby) is enforced at takeover, and stored', async () => {
    const w = hostWorld();
    const store = memoryHistoryStore();
    const svc = await w.start({}, { store });
    svc.archive('@team', [{ authorId: 'alice', text: 'hi', at: 1 }], new Set(['alice', 'bob']));
    await w.vt.settle();
    expect(store.loadAdmissions?.().get('@team')).toEqual(['alice', 'bob']);
    const mallory = await w.client(svc);
    mallory.send({ cmd: 'JOIN', channel: '@team', clientId: 'mallory' });
    expect(await mallory.next(isError())).toMatchObject({ reason: expect.stringMatching(/^NOT_INVITED:/) });
    const bob = await w.joined(svc, '@team', 'bob');
    expect(bob.commands()[0]).toMatchObject({ cmd: 'SAY', authorId: 'alice', text: 'hi' });
  });

  it('a failed commit queues the admitted IDs again: the next commit stores them', async () => {
    const w = hostWorld();
    const store = flakyStore(1);
    const svc = await w.start({}, { store });
    const alice = await w.joined(svc, '@team', 'alice');
    await w.vt.settle();
    expect(store.loadAdmissions().size).toBe(0);
    alice.send({ cmd: 'INVITE', clientIds: ['bob'] });
    await w.vt.settle();
    expect(store.loadAdmissions().get('@team')).toEqual(['alice', 'bob']);
    // The admission list never left memory meanwhile.
    await w.joined(svc, '@team', 'bob');
  });
});
