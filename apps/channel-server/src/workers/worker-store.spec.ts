import { describe, expect, it } from 'vitest';
import { memoryHistoryStore } from '@ims/host-service';
import { homeWorker } from './routing.js';
import { workerStore } from './worker-store.js';

describe('workerStore', () => {
  it('loads only the channels whose home the worker is, and writes any channel it hosts', async () => {
    const shared = memoryHistoryStore();
    const names = Array.from({ length: 20 }, (_, i) => `#h${i}`);
    for (const ch of names) shared.append(ch, { authorId: 'a', text: ch, at: 1 });
    shared.commit();
    const views = [workerStore(shared, 0, 3), workerStore(shared, 1, 3), workerStore(shared, 2, 3)];
    const loaded = views.map((v) => [...v.loadAll(10).keys()].sort());
    for (let w = 0; w < 3; w++) expect(loaded[w]).toEqual(names.filter((n) => homeWorker(n, 3) === w).sort());
    const away = names.find((n) => homeWorker(n, 3) !== 0) ?? '';
    views[0]?.append(away, { authorId: 'b', text: 'stray post', at: 2 });
    views[0]?.commit();
    expect(shared.loadAll(10).get(away)?.map((p) => p.text)).toEqual([away, 'stray post']);
    await views[0]?.close();
  });
});
