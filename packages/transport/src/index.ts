/**
 * @ims/transport: TCP connections as decoded frames in and batched, bounded writes out. Bad input
 * never throws here: decode failures travel as values, and the owner decides what to do.
 *
 * @example
 * ```ts
 * import { listenTcp } from '@ims/transport';
 * import { serverSideDecoder } from '@ims/codec';
 * const listener = await listenTcp({ decoder: () => serverSideDecoder(), port: 0 });
 * listener.connections$.subscribe((conn) => conn.attach({ frame: (d) => console.log(d), closed: (i) => console.log(i.reason) }));
 * ```
 * @packageDocumentation
 */
export { listenTcp } from './tcp-listener.js';
export type { TcpListener } from './tcp-listener.js';
export { dialTcp } from './tcp-dialer.js';
export type { TcpConnection, CloseInfo, ConnectionSink } from './tcp-connection.js';
export { afterFlush } from './flush-scheduler.js';
export { TransportError } from './transport-error.js';
export { TRANSPORT_DEFAULTS } from './limits.js';
