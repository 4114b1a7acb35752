/**
 * A worker's view of the box's history store (README "Workers"): every worker opens the same
 * SQLite file (WAL: one writer at a time, readers never blocked) and writes only the channels it
 * hosts, so each channel still has one writer; at start it loads only the channels whose home it
 * is, so a channel's history follows the routing whatever the number of workers was before.
 */
import type { HistoryStore } from '@ims/host-service';
import { homeWorker } from './routing.js';

/** `store` with the start-up loads narrowed to the channels `index` of `workers` is home to. */
export function workerStore(store: HistoryStore, index: number, workers: number): HistoryStore {
  const mine = <V>(all: Map<string, V>): Map<string, V> => {
    for (const channel of all.keys()) if (homeWorker(channel, workers) !== index) all.delete(channel);
    return all;
  };
  const loadAdmissions = store.loadAdmissions?.bind(store);
  return {
    loadAll: (limit) => mine(store.loadAll(limit)),
    ...(loadAdmissions === undefined ? {} : { loadAdmissions: () => mine(loadAdmissions()) }),
    ...(store.admit === undefined ? {} : { admit: store.admit.bind(store) }),
    append: (channel, post) => store.append(channel, post),
    commit: () => store.commit(),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
