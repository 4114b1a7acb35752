/** The real transport: TCP over node:net, writes batched per event-loop turn (flush-scheduler.ts). */
import { afterFlush, beforeFlush } from './flush-scheduler.js';
import { dialTcp } from './tcp-dialer.js';
import { listenTcp } from './tcp-listener.js';
import type { Transport } from './transport.js';

/** TCP: listeners on loopback unless an address is given, dials with a connect timeout. */
export const tcpTransport: Transport = Object.freeze({ listen: listenTcp, dial: dialTcp, beforeFlush, afterFlush });
