/**
 * The messages between the primary and its workers (README "Workers"), over the IPC channel of
 * `child_process.fork` with advanced (structured clone) serialization, so byte arrays and
 * Infinity travel as they are. A connection's socket travels as the handle of its `conn` message.
 */
import type { HostDiscovery } from '@ims/host-service';
import type { Observable } from 'rxjs';
import type { ServerConfig } from '../config.js';
import type { WorkerSample } from './aggregate.js';

/** A peer of discovery's table, as the host service reads it (HostDiscovery.peers$). */
export type PeerEntry = HostDiscovery['peers$'] extends Observable<readonly (infer P)[]> ? P : never;

/** Primary → worker. */
export type ToWorker =
  /** First message: who the worker is and what to serve. */
  | { readonly t: 'init'; readonly index: number; readonly workers: number; readonly config: ServerConfig; readonly endpoint: { readonly address: string; readonly port: number } }
  /** Discovery's whole peer table, on every change. */
  | { readonly t: 'peers'; readonly peers: readonly PeerEntry[] }
  /** A connection (the socket is the message's handle); `head` is every byte the primary read; `routed` when its first frame was a JOIN (else its JOIN is screened, worker-host.ts). */
  | { readonly t: 'conn'; readonly head: Uint8Array; readonly routed: boolean }
  /** Report stats, answered by a `stats` with the same `req`. */
  | { readonly t: 'stats'; readonly req: number }
  /** Graceful stop: close members, flush and close the store, answer `stopped`, exit. */
  | { readonly t: 'stop' };

/** Worker → primary. */
export type FromWorker =
  /** Serving: the host service listens (on the primary's endpoint). */
  | { readonly t: 'ready' }
  /** What the host wants announced (HostDiscovery.setServer): its public channels, or undefined once it stops hosting. */
  | { readonly t: 'setServer'; readonly channels: readonly string[] | undefined }
  /** HostDiscovery.invite: multicast SERVER_INVITE. */
  | { readonly t: 'invite'; readonly channel: string; readonly ids: readonly string[] }
  /** A handed-over connection closed: its place in the primary's per-IP caps is free. */
  | { readonly t: 'released'; readonly address: string }
  /** Answer to a `stats` request. */
  | { readonly t: 'stats'; readonly req: number; readonly sample: WorkerSample }
  /** Answer to `stop`: the host stopped and the store is closed. */
  | { readonly t: 'stopped' };
