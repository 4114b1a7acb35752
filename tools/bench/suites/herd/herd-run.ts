/**
 * The thundering herd after a host dies (docs/protocol.md §5, §6.2): two real channel servers on
 * loopback (A hosts, B runs `--standby-for all` so A names it standby of every channel), and
 * `channels × perChannel` member sessions in this process over real TCP, all from 127.0.0.1. A is
 * killed with SIGKILL; every membership must come back on B. Shared by the bench suite and the
 * integration test.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMember } from '@ims/channel-core';
import { discover, udpPort, type Discovery } from '@ims/discovery';
import { lobbyHosts, startMemberSession, type MemberSession } from '@ims/member-session';
import { startTarget, stopTarget, type Target } from '../server/proc.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const TSX = ['--conditions=@ims/source', '--import', 'tsx'];
const HOST = 'herd-A';
const STANDBY = 'herd-B';
/** Channels one announcing peer lists (they fit one 1,400-byte PDU). */
const ANNOUNCED_PER_PEER = 40;

/** Size and patience of one run. */
export interface HerdOptions {
  readonly channels: number;
  /** Memberships of each channel (distinct peer IDs, all from this process). */
  readonly perChannel: number;
  /** ms after the kill before a membership not back counts as lost. */
  readonly backWithinMs: number;
  /** ms for the setup (every membership joined on A with B as its standby). */
  readonly setupMs: number;
  readonly progress?: (message: string) => void;
}

/** What one run measured. */
export interface HerdResult {
  readonly memberships: number;
  /** ms from the kill to each membership's failover onto B, sorted. */
  readonly backMs: readonly number[];
  /** Memberships that left (channel lost), were not back in time, or moved elsewhere than B. */
  readonly lost: number;
  /** Memberships that failed over to a host other than B (scattered). */
  readonly scattered: number;
  /** Why the lost ones left, by reason (empty when none left). */
  readonly leftReasons: Readonly<Record<string, number>>;
}

/** One membership as the run watches it. */
interface Watched {
  readonly session: MemberSession;
  standby: string | undefined;
  backAt: number | undefined;
  movedTo: string | undefined;
  left: boolean;
  leftReason: string | undefined;
}

function startServer(id: string, group: string, extra: readonly string[]): Promise<Target> {
  const flags = ['--port', '0', '--discovery-port', group, '--announce-interval', '500ms', '--log-level', 'warn', '--id', id, ...extra];
  return startTarget(id, [...TSX, join(root, 'apps/channel-server/src/main.ts'), ...flags], root, 60_000);
}

/** Resolves when `ready()` holds (checked every 20 ms: a poll of in-process state, not a sleep to sync), rejects after `ms`. */
function until(what: string, ms: number, ready: () => boolean, state: () => string = () => ''): Promise<void> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (ready()) resolve();
      else if (performance.now() > deadline) reject(new Error(`herd: timed out after ${ms} ms waiting for ${what} ${state()}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

/** Runs one herd; every process and session started is stopped, also on failure. */
export async function runHerd(opts: HerdOptions): Promise<HerdResult> {
  const group = String(41_000 + Math.floor(Math.random() * 8_000));
  const say = opts.progress ?? (() => undefined);
  const targets: Target[] = [];
  const watched: Watched[] = [];
  const discoveries: Discovery[] = [];
  let lobbyWatch: { unsubscribe(): void } | undefined;
  try {
    const a = await startServer(HOST, group, []);
    targets.push(a);
    targets.push(await startServer(STANDBY, group, ['--standby-for', 'all']));
    const channels = Array.from({ length: opts.channels }, (_, i) => `#herd-${i}`);
    // A membership list longer than one datagram is split over several PDUs, and a receiver keeps
    // only the last piece's list (discovery today): announce at most 40 channels per peer.
    for (let i = 0; i * ANNOUNCED_PER_PEER < channels.length; i++) {
      discoveries.push(discover(await udpPort({ port: Number(group) }), { peerId: `herd-d${i}`, nick: 'herd', intervalMs: 500 }));
    }
    const hosts$ = lobbyHosts(discoveries[0] as Discovery);
    // What the members' discovery shows of B: a member fails over only to a standby that its
    // discovery knows and does not show disconnected (docs/protocol.md §5.5).
    let standbyInLobby: string | undefined;
    lobbyWatch = hosts$.subscribe((hosts) => (standbyInLobby = hosts.find((h) => h.id === STANDBY)?.state));
    for (const channel of channels) {
      for (let k = 1; k <= opts.perChannel; k++) {
        const selfId = `herd-${k}`;
        const session = startMemberSession({
          selfId, channel, hosts$,
          target: { peerId: HOST, address: '127.0.0.1', port: a.port },
          createMember: () => createMember({ selfId, channel }),
        });
        const w: Watched = { session, standby: undefined, backAt: undefined, movedTo: undefined, left: false, leftReason: undefined };
        session.events$.subscribe((e) => {
          if (e.event === 'standby') w.standby = e.standby;
          else if (e.event === 'failover') {
            w.backAt ??= performance.now();
            w.movedTo = e.host;
          } else if (e.event === 'left') {
            w.left = true;
            w.leftReason = String((e as { reason?: unknown }).reason);
          }
        });
        watched.push(w);
      }
    }
    // The standby-for box follows channels that members announce (docs/protocol.md §3): say so.
    discoveries.forEach((d, i) => d.setMemberships([{ serverId: HOST, channels: channels.slice(i * ANNOUNCED_PER_PEER, (i + 1) * ANNOUNCED_PER_PEER) }]));
    const standbys = (): string => {
      const n = new Map<string, number>();
      for (const w of watched) n.set(String(w.standby), (n.get(String(w.standby)) ?? 0) + 1);
      return JSON.stringify(Object.fromEntries(n));
    };
    await until(`every membership joined on ${HOST} with ${STANDBY} as standby`, opts.setupMs, () => watched.every((w) => w.standby === STANDBY), standbys);
    // As on a LAN where the members have heard the standby for a while: a setup quicker than B's
    // announce interval would otherwise kill A before the members' discovery first heard B.
    await until(`the members' discovery listing ${STANDBY} alive`, opts.setupMs, () => standbyInLobby === 'alive', () => `(it shows ${String(standbyInLobby)})`);
    say(`${watched.length} memberships on ${HOST}, standby ${STANDBY}; killing ${HOST}`);
    const killedAt = performance.now();
    a.child.kill('SIGKILL');
    await until('every membership back or lost', opts.backWithinMs, () => watched.every((w) => w.left || w.backAt !== undefined)).catch(() => undefined);
    const onB = watched.filter((w) => !w.left && w.movedTo === STANDBY && w.backAt !== undefined);
    const leftReasons: Record<string, number> = {};
    for (const w of watched) if (w.left) leftReasons[String(w.leftReason)] = (leftReasons[String(w.leftReason)] ?? 0) + 1;
    return {
      leftReasons,
      memberships: watched.length,
      backMs: onB.map((w) => (w.backAt as number) - killedAt).sort((x, y) => x - y),
      lost: watched.length - onB.length,
      scattered: watched.filter((w) => w.movedTo !== undefined && w.movedTo !== STANDBY).length,
    };
  } finally {
    lobbyWatch?.unsubscribe();
    await Promise.all(watched.map((w) => Promise.race([w.session.exit(), new Promise((r) => setTimeout(r, 2_000))])));
    for (const d of discoveries) d.close();
    await Promise.all(targets.map((t) => stopTarget(t)));
  }
}

/** The value at quantile `q` (0..1) of sorted `xs` (NaN when empty). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  return xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] as number;
}
