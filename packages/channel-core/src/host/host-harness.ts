/** Test helpers for the host reducer (imported by specs only; not exported from the package). */
import { CodecError, type ClientCommand, type ServerCommand } from '@ims/codec';
import type { HostEffect, HostOptions, PeerInfo } from '../types.js';
import { historySay } from './history-say.js';
import { createHost } from './host.js';

/** A peer as discovery would describe it; override what the test cares about. */
export function peer(id: string, over: Partial<PeerInfo> = {}): PeerInfo {
  return { id, address: '127.0.0.1', canHost: false, dedicated: false, hostedChannels: 0, isClient: true, alive: true, ...over };
}

/** A host with a settable clock and one-line helpers per input. */
export function harness(opts: Partial<HostOptions> = {}) {
  let t = 1_000;
  const host = createHost({ hostId: 'H', ...opts }, () => t);
  let port = 50_000;
  const api = {
    host,
    tick(ms = 1): void {
      t += ms;
    },
    open(conn: string, address = '127.0.0.1'): HostEffect[] {
      return host.handle({ kind: 'opened', conn, remote: { address, port: port++ } });
    },
    frame(conn: string, command: ClientCommand): HostEffect[] {
      return host.handle({ kind: 'frame', conn, command });
    },
    /** Opens `conn` and JOINs as `clientId`. */
    join(conn: string, channel: string, clientId?: string): HostEffect[] {
      api.open(conn);
      t += 1;
      return api.frame(conn, clientId === undefined ? { cmd: 'JOIN', channel } : { cmd: 'JOIN', channel, clientId });
    },
    say(conn: string, text: string): HostEffect[] {
      return api.frame(conn, { cmd: 'SAY', text });
    },
    closed(conn: string): HostEffect[] {
      return host.handle({ kind: 'closed', conn });
    },
    peers(...list: PeerInfo[]): HostEffect[] {
      return host.handle({ kind: 'peers', peers: list });
    },
  };
  return api;
}

/** Effects without `log`s, for exact comparisons. */
export function noLogs(effects: readonly HostEffect[]): HostEffect[] {
  return effects.filter((e) => e.kind !== 'log');
}

/** What one connection receives from a batch of effects, in order. */
export function received(effects: readonly HostEffect[], conn: string): ServerCommand[] {
  const out: ServerCommand[] = [];
  for (const e of effects) {
    if (e.kind === 'send' && e.conn === conn) out.push(e.command);
    if (e.kind === 'replay' && e.conn === conn) for (const p of e.posts) out.push(historySay(p));
    if (e.kind === 'broadcast' && e.conns.includes(conn)) out.push(e.command);
  }
  return out;
}

/** Error codes in the ERROR frames of a batch. */
export function errorCodes(effects: readonly HostEffect[]): string[] {
  return effects.flatMap((e) => (e.kind === 'send' && e.command.cmd === 'ERROR' ? [e.command.reason.split(':')[0] ?? ''] : []));
}

/** A per-frame codec error, as the runtime's decoder reports it. */
export function codecError(code: CodecError['code'], message: string): CodecError {
  return new CodecError(code, message);
}
