/**
 * The multicast DatagramPort over node:dgram (the only node:dgram importer, CONTRIBUTING.md §1).
 * Loopback by default: the multicast interface and the group membership are set on 127.0.0.1
 * (or `lo` for IPv6), so nothing leaves a LAN interface unless `interface` names one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Subject, filter, firstValueFrom, timeout } from 'rxjs';
import { DISCOVERY_PORT, MULTICAST_GROUP_V4, MULTICAST_GROUP_V6, MULTICAST_TTL } from '@ims/codec';
import type { Datagram, DatagramPort } from './datagram-port.js';
import { DiscoveryError } from './errors.js';

/** Options of `udpPort()`. */
export interface UdpPortOptions {
  /** Address family of the group. @default 'ipv4' */
  readonly family?: 'ipv4' | 'ipv6';
  /** Multicast group. @default '239.255.99.63' (ipv4) or 'ff02::4c:48:43' (ipv6) */
  readonly group?: string;
  /** UDP port of the group. @default 55555 */
  readonly port?: number;
  /** Interface to send and join on: an interface name (e.g. eth1) or one of its addresses. @default loopback ('127.0.0.1' / 'lo') */
  readonly interface?: string;
  /** Multicast TTL (docs/protocol.md §3: 1, the link only). @default 1 */
  readonly ttl?: number;
  /** Socket errors after setup (a datagram that could not be sent...). @default process.emitWarning */
  readonly onError?: (error: Error) => void;
}

interface Resolved {
  readonly type: 'udp4' | 'udp6';
  readonly group: string;
  readonly port: number;
  /** Value for setMulticastInterface / addMembership. */
  readonly ifaceAddress: string;
  /** Where datagrams are sent (IPv6 link-local groups need the zone). */
  readonly sendTo: string;
  readonly bindAddress: string;
  readonly ttl: number;
}

function findInterface(spec: string, family: 'IPv4' | 'IPv6'): { name: string; address: string } {
  const all = networkInterfaces();
  for (const [name, addresses] of Object.entries(all)) {
    for (const a of addresses ?? []) {
      if (a.family === family && (name === spec || a.address === spec)) return { name, address: a.address };
    }
  }
  throw new DiscoveryError('UNKNOWN_INTERFACE', `no ${family} interface named or addressed ${JSON.stringify(spec)}`);
}

/**
 * The IPv4 address of an interface given by name (e.g. eth1) or address, as `--interface` takes it;
 * a host binds its TCP listener there, so members reach it at its PDUs' source address without
 * ever listening on every interface. Throws `DiscoveryError('UNKNOWN_INTERFACE')`.
 */
export function interfaceAddress(spec: string): string {
  return isIP(spec) === 4 ? spec : findInterface(spec, 'IPv4').address;
}

function resolve(options: UdpPortOptions): Resolved {
  const port = options.port ?? DISCOVERY_PORT;
  const ttl = options.ttl ?? MULTICAST_TTL;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new DiscoveryError('INVALID_OPTION', `bad UDP port ${port}`);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) throw new DiscoveryError('INVALID_OPTION', `bad multicast TTL ${ttl}`);
  if ((options.family ?? 'ipv4') === 'ipv4') {
    const group = options.group ?? MULTICAST_GROUP_V4;
    if (isIP(group) !== 4) throw new DiscoveryError('INVALID_OPTION', `bad IPv4 group ${group}`);
    const spec = options.interface ?? '127.0.0.1';
    const ifaceAddress = interfaceAddress(spec);
    // Binding to the group (Linux) keeps unicast datagrams to our port out. Other platforms only
    // receive multicast on a wildcard bind; sending still goes out of `ifaceAddress` alone.
    const bindAddress = process.platform === 'linux' ? group : '0.0.0.0';
    return { type: 'udp4', group, port, ifaceAddress, sendTo: group, bindAddress, ttl };
  }
  const group = options.group ?? MULTICAST_GROUP_V6;
  if (isIP(group) !== 6) throw new DiscoveryError('INVALID_OPTION', `bad IPv6 group ${group}`);
  const name = options.interface === undefined ? 'lo' : findInterface(options.interface, 'IPv6').name;
  return { type: 'udp6', group, port, ifaceAddress: `::%${name}`, sendTo: `${group}%${name}`, bindAddress: '::', ttl };
}

function setUp(socket: Socket, r: Resolved): void {
  socket.setMulticastInterface(r.ifaceAddress);
  socket.addMembership(r.group, r.ifaceAddress);
  // Several peers on one host must hear each other (and we filter our own PDUs by peer ID).
  socket.setMulticastLoopback(true);
  socket.setMulticastTTL(r.ttl);
}

/** Open a multicast port: bound (SO_REUSEADDR), group joined on the chosen interface. Rejects with DiscoveryError. */
export async function udpPort(options: UdpPortOptions = {}): Promise<DatagramPort> {
  const r = resolve(options);
  const onError = options.onError ?? ((e: Error) => process.emitWarning(e));
  const socket = createSocket({ type: r.type, reuseAddr: true });
  const inbox = new Subject<Datagram>();
  await new Promise<void>((resolveBind, reject) => {
    const fail = (cause: unknown): void => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      try {
        socket.close();
      } catch {
        // Never bound, so there is nothing to release; the DiscoveryError below carries the cause.
      }
      reject(new DiscoveryError('BIND_FAILED', `cannot join ${r.group} port ${r.port} on ${r.ifaceAddress}`, { cause }));
    };
    socket.once('error', fail);
    socket.bind({ port: r.port, address: r.bindAddress, exclusive: false }, () => {
      try {
        setUp(socket, r);
      } catch (cause) {
        fail(cause);
        return;
      }
      socket.off('error', fail);
      resolveBind();
    });
  });
  let open = true;
  socket.on('error', (error) => onError(error));
  socket.on('message', (msg, rinfo) => {
    inbox.next({ data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from: { address: rinfo.address, port: rinfo.port } });
  });
  return {
    messages$: inbox.asObservable(),
    send(bytes: Uint8Array): void {
      if (!open) return;
      // dgram reads the bytes later (after its async address lookup): copy, so callers may reuse theirs.
      socket.send(Buffer.from(bytes), r.port, r.sendTo, (error) => {
        if (error) onError(error);
      });
    },
    close(): void {
      if (!open) return;
      open = false;
      inbox.complete();
      socket.close();
    },
  };
}

/** Result of `probeMulticast()`. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Check once whether multicast works with these options (e.g. on loopback): two ports on a
 * random high port, one datagram, a bounded wait. Never rejects.
 */
export async function probeMulticast(options: UdpPortOptions = {}, waitMs = 2_000): Promise<ProbeResult> {
  const port = options.port ?? 40_000 + Math.floor(Math.random() * 20_000);
  let a: DatagramPort | undefined;
  let b: DatagramPort | undefined;
  try {
    a = await udpPort({ ...options, port, onError: () => undefined });
    b = await udpPort({ ...options, port, onError: () => undefined });
    const nonce = new TextEncoder().encode(`probe-${Math.random()}`);
    const same = (d: Datagram): boolean => d.data.length === nonce.length && d.data.every((x, i) => x === nonce[i]);
    const got = firstValueFrom(b.messages$.pipe(filter(same), timeout(waitMs)));
    a.send(nonce);
    await got;
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `multicast ${options.family ?? 'ipv4'} on ${options.interface ?? 'loopback'} does not work here: ${(error as Error).message}` };
  } finally {
    a?.close();
    b?.close();
  }
}
