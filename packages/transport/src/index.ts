/**
 * @ims/transport: framed connections (decoded frames in, batched bounded writes out) behind a small
 * seam, `Transport`: `tcpTransport` over node:net, `secureTcpTransport(mode)` (the same over TLS 1.3
 * with mutual certificates: `Connection.peerId` is the remote's proven peer ID), and
 * `memoryTransport()`, an in-memory network with the same contract on an injected scheduler, for
 * unit tests in virtual time. Bad input never
 * throws here: decode failures travel as values, and the owner decides what to do.
 *
 * @example
 * ```ts
 * import { tcpTransport } from '@ims/transport';
 * import { serverSideDecoder } from '@ims/codec';
 * const listener = await tcpTransport.listen({ decoder: () => serverSideDecoder(), port: 0 });
 * listener.connections$.subscribe((conn) => conn.attach({ frame: (d) => console.log(d), closed: (i) => console.log(i.reason) }));
 * ```
 * @packageDocumentation
 */
export { tcpTransport } from './tcp-transport.js';
export { secureTcpTransport } from './secure-tcp-transport.js';
export type { SecureTcpOptions } from './secure-tcp-transport.js';
export { memoryTransport } from './memory-transport.js';
export { dialingFrom } from './dialing-from.js';
export type { MemoryTransport, MemoryViewOptions } from './memory-transport.js';
export { virtualTime } from './virtual-time.js';
export type { VirtualTime } from './virtual-time.js';
export type { DialOptions, ListenOptions, Listener, Refusal, Transport } from './transport.js';
export type { CloseInfo, Connection, ConnectionSink } from './connection.js';
export { TransportError } from './transport-error.js';
export { TRANSPORT_DEFAULTS } from './limits.js';
export { acceptForHandoff } from './handoff-acceptor.js';
export type { HandedSocket, HandoffAcceptor, HandoffAcceptorOptions } from './handoff-acceptor.js';
export { adoptingTransport } from './adopting-transport.js';
export type { AdoptingTransport, AdoptingTransportOptions } from './adopting-transport.js';
export type { FrameScreen } from './screened-connection.js';
