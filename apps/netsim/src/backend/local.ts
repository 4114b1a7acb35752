/** Backend `local`: every host on loopback, no privileges. Network faults are not available. */
import { NetsimError } from '../errors.js';
import type { Backend } from './types.js';

/** Loopback: the only interface local runs ever use. */
const LOOPBACK = '127.0.0.1';

/** Creates the local backend for one run. */
export function localBackend(runId: string): Backend {
  const unsupported = (what: string): Promise<never> =>
    Promise.reject(new NetsimError('BACKEND_UNAVAILABLE', `${what} needs the netns backend (--backend netns)`));
  return {
    name: 'local',
    network: 'loopback',
    runId,
    setup: () => Promise.resolve(),
    wrap: (_host, cmd, args) => ({ cmd, args }),
    interfaceOf: () => LOOPBACK,
    addressOf: () => LOOPBACK,
    partition: () => unsupported('partition'),
    cut: () => unsupported('a one-way partition'),
    heal: () => unsupported('heal'),
    impair: () => unsupported('netem'),
    frameCounts: () => undefined,
    cleanup: () => Promise.resolve(),
  };
}
