/**
 * The member role: one channel membership as a client sees it, with failover (docs/protocol.md §5,
 * docs/architecture.md "Failover", "No loss, no duplicates", "Partition heal").
 */
import { compareIds, isValidChannelName, isValidPeerId, type ServerCommand } from '@ims/codec';
import { convergenceWinner } from '../convergence.js';
import { HistoryRing } from '../history-ring.js';
import { HOST_DEFAULTS } from '../host/host-context.js';
import { alignHistory, type SeenPost } from './align.js';
import type { FailoverReason, LobbyHost, Member, MemberEffect, MemberEvent, MemberInput, MemberOptions, MemberTarget, MembershipSnapshot } from './member-types.js';

type Phase = MembershipSnapshot['phase'];
/**
 * Why we are dialling: decides what a failure and a completed join mean. `back`: returning to the
 * host we left for a partition winner we could not reach.
 */
type Attempt = 'initial' | 'reconnect' | 'failover' | 'back';

/** Defaults of `MemberOptions` (documented there with `@default`). */
const MEMBER_DEFAULTS = { seenLimit: 1_000, pendingLimit: 1_000, hostHistoryLimit: HOST_DEFAULTS.historyLimit } as const;

/** Creates a member reducer for one channel. It reads no clock: timing comes from its inputs. */
export function createMember(opts: MemberOptions): Member {
  const seenLimit = opts.seenLimit ?? MEMBER_DEFAULTS.seenLimit;
  const pendingLimit = opts.pendingLimit ?? MEMBER_DEFAULTS.pendingLimit;
  const hostHistoryLimit = opts.hostHistoryLimit ?? MEMBER_DEFAULTS.hostHistoryLimit;
  for (const [k, v] of [['seenLimit', seenLimit], ['pendingLimit', pendingLimit], ['hostHistoryLimit', hostHistoryLimit]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`MemberOptions.${k} must be a non-negative integer, got ${v}`);
  }
  const { selfId, channel } = opts;
  if (!isValidPeerId(selfId)) throw new RangeError(`MemberOptions.selfId is not a peer ID: ${JSON.stringify(selfId)}`);
  if (!isValidChannelName(channel)) throw new RangeError(`MemberOptions.channel is not a channel name: ${JSON.stringify(channel)}`);
  let phase: Phase = 'idle';
  let attempt: Attempt = 'initial';
  let host: MemberTarget | undefined;
  let connOpen = false;
  let standby: string | undefined;
  let everJoined = false;
  let failover: { from: string; fromTarget?: MemberTarget; reason: FailoverReason } | undefined;
  let tried = new Set<string>();
  /** History SAYs of the join in progress (the newest `seenLimit`), and how many there were. */
  let historyBuf = new HistoryRing<SeenPost>(seenLimit);
  let historyCount = 0;
  const seen = new HistoryRing<SeenPost>(seenLimit);
  let pending: string[] = [];
  /** Live SAYs to swallow once: posts seen before a failover that the new host lost. */
  const expected = new Map<string, number>();
  let expectedCount = 0;
  let lobby: readonly LobbyHost[] = [];
  const everInLobby = new Set<string>();
  /** Hosts we failed over from: never a target again until discovery has seen them go. */
  const lostHosts = new Set<string>();
  /**
   * Lost hosts that our current host has since named STANDBY: they came back (a restarted server
   * rejoins as a member within an interval, so discovery never sees it go). Usable as the standby
   * again, but still never a partition-heal winner: their old channel list may linger in the lobby.
   */
  const revived = new Set<string>();
  let out: MemberEffect[] = [];

  const emit = (event: MemberEvent): void => {
    out.push({ kind: 'event', event });
  };
  const key = (p: SeenPost): string => `${p.author}\0${p.text}`;

  function connect(target: MemberTarget, why: Attempt): void {
    if (connOpen) out.push({ kind: 'disconnect' });
    host = target;
    attempt = why;
    phase = 'connecting';
    connOpen = true;
    out.push({ kind: 'connect', target });
  }

  function leave(reason: 'exit' | 'lost'): void {
    if (connOpen) {
      if (reason === 'exit' && (phase === 'joining' || phase === 'joined')) out.push({ kind: 'send', command: { cmd: 'EXIT' } });
      out.push({ kind: 'disconnect' });
    }
    connOpen = false;
    phase = 'left';
    pending = [];
    emit({ event: 'left', reason });
  }

  /** Failover targets in order (docs/architecture.md "Failover"), skipping lost and tried hosts. */
  function candidates(): MemberTarget[] {
    const list: MemberTarget[] = [];
    const usable = (id: string): boolean => !tried.has(id) && !lostHosts.has(id);
    if (standby !== undefined && standby !== failover?.from && (usable(standby) || (revived.has(standby) && !tried.has(standby)))) {
      if (standby === selfId) {
        if (opts.selfEndpoint !== undefined) list.push({ peerId: selfId, ...opts.selfEndpoint });
      } else {
        const h = lobby.find((x) => x.id === standby && x.state !== 'disconnected');
        if (h !== undefined) list.push({ peerId: h.id, address: h.address, port: h.port });
      }
    }
    // Sorted by ID, so members that lost the same host pick the same next one.
    for (const h of announcing()) if (usable(h.id) && !list.some((t) => t.peerId === h.id)) list.push({ peerId: h.id, address: h.address, port: h.port });
    return list;
  }

  /** Alive hosts the lobby shows announcing this channel, smallest ID first. */
  function announcing(): LobbyHost[] {
    return lobby.filter((h) => h.state === 'alive' && h.channels.includes(channel)).sort((a, b) => compareIds(a.id, b.id));
  }

  function tryNext(): void {
    const next = candidates()[0];
    if (next === undefined) {
      leave('lost');
      return;
    }
    tried.add(next.peerId);
    connect(next, 'failover');
  }

  function failOver(reason: FailoverReason): void {
    const from = host?.peerId ?? '';
    if (reason !== 'partition') {
      lostHosts.add(from);
      revived.delete(from);
    }
    failover = { from, reason };
    tried = new Set([from]);
    tryNext();
  }

  /** The dial or the join on the current target failed. */
  function targetFailed(): void {
    connOpen = false;
    if (attempt === 'reconnect' || attempt === 'back') {
      failOver('closed');
      return;
    }
    if (failover?.reason === 'partition' && failover.fromTarget !== undefined && host !== undefined) {
      // The partition winner cannot be reached: return to the host we left, and leave the winner
      // alone until discovery has seen it go (else every lobby update would retry it).
      lostHosts.add(host.peerId);
      const back = failover.fromTarget;
      failover = undefined;
      connect(back, 'back');
      return;
    }
    // A first join that fails tries where else the lobby shows the channel, like a failover.
    if (attempt === 'initial' && host !== undefined) tried.add(host.peerId);
    tryNext();
  }

  function completeJoin(standbyId: string): void {
    const target = host as MemberTarget;
    phase = 'joined';
    if (!everJoined) emit({ event: 'joined', host: target.peerId });
    else if (attempt === 'failover' && failover !== undefined) emit({ event: 'failover', from: failover.from, host: target.peerId, reason: failover.reason });
    everJoined = true;
    failover = undefined;
    tried = new Set();
    const history = historyBuf.toArray();
    // A re-send we were waiting for that reached the new host's history needs no swallowing any more.
    for (const h of history) unexpect(key(h));
    const a = alignHistory(seen.toArray(), history, pending, selfId, historyCount >= hostHistoryLimit);
    historyBuf = new HistoryRing<SeenPost>(seenLimit);
    historyCount = 0;
    for (const p of a.fresh) {
      seen.push(p);
      emit({ event: 'history', author: p.author, text: p.text });
    }
    for (const p of a.expect) {
      if (expectedCount >= seenLimit) break;
      expected.set(key(p), (expected.get(key(p)) ?? 0) + 1);
      expectedCount++;
    }
    standby = standbyId;
    emit({ event: 'standby', standby: standbyId, host: target.peerId });
    pending = a.resend;
    for (const text of pending) out.push({ kind: 'send', command: { cmd: 'SAY', text } });
  }

  /** Consumes one expected re-send of `k`; false when none was expected. */
  function unexpect(k: string): boolean {
    const n = expected.get(k);
    if (n === undefined) return false;
    if (n <= 1) expected.delete(k);
    else expected.set(k, n - 1);
    expectedCount--;
    return true;
  }

  function onLiveSay(author: string, text: string): void {
    if (author === selfId) {
      const at = pending.indexOf(text);
      if (at >= 0) pending.splice(at, 1);
    }
    // A re-send of a post we already showed before the failover: swallow it once.
    if (unexpect(key({ author, text }))) return;
    seen.push({ author, text });
    emit({ event: 'say', author, text });
  }

  function onFrame(cmd: ServerCommand): void {
    if (phase !== 'joining' && phase !== 'joined') return;
    if (cmd.cmd === 'ERROR') {
      const colon = cmd.reason.indexOf(':');
      emit({ event: 'error', code: colon > 0 ? cmd.reason.slice(0, colon) : 'HOST_ERROR', message: cmd.reason });
    } else if (cmd.cmd === 'STANDBY') {
      if (lostHosts.has(cmd.peerId)) revived.add(cmd.peerId);
      if (phase === 'joining') completeJoin(cmd.peerId);
      else if (cmd.peerId !== standby) {
        standby = cmd.peerId;
        emit({ event: 'standby', standby: cmd.peerId, host: host?.peerId ?? '' });
      }
    } else if (phase === 'joining') {
      // docs/architecture.md "History delimiter": SAYs between JOIN and the first STANDBY are history.
      historyBuf.push({ author: cmd.authorId, text: cmd.text });
      historyCount++;
    } else {
      onLiveSay(cmd.authorId, cmd.text);
    }
  }

  function onLobby(hosts: readonly LobbyHost[]): void {
    lobby = hosts;
    const wasSeen = host !== undefined && everInLobby.has(host.peerId);
    for (const h of hosts) everInLobby.add(h.id);
    for (const id of [...lostHosts]) {
      const h = hosts.find((x) => x.id === id);
      if (h === undefined || h.state === 'disconnected') {
        lostHosts.delete(id);
        revived.delete(id);
      }
    }
    if (host === undefined || phase === 'idle' || phase === 'left') return;
    const current = hosts.find((x) => x.id === host?.peerId);
    // Our own embedded host is never in the lobby (discovery ignores our own PDUs).
    const gone = host.peerId !== selfId && (current === undefined ? wasSeen : current.state === 'disconnected');
    if (gone) {
      // Timer path (docs/protocol.md §5): three intervals without a PDU. maybeDisconnected alone: stay.
      if (attempt === 'failover' && phase !== 'joined') {
        lostHosts.add(host.peerId);
        targetFailed();
      } else failOver('silent');
      return;
    }
    if (phase !== 'joined') return;
    const winner = convergenceWinner([host.peerId, ...announcing().filter((h) => !lostHosts.has(h.id)).map((h) => h.id)]);
    const target = hosts.find((h) => h.id === winner);
    if (winner === host.peerId || target === undefined) return;
    // Partition heal: leave the loser cleanly, then join the winner with the usual re-send rules.
    out.push({ kind: 'send', command: { cmd: 'EXIT' } });
    failover = { from: host.peerId, fromTarget: host, reason: 'partition' };
    tried = new Set([host.peerId, target.id]);
    connect({ peerId: target.id, address: target.address, port: target.port }, 'failover');
  }

  function handle(input: MemberInput): void {
    switch (input.kind) {
      case 'join':
        if (phase === 'idle') connect(input.target, 'initial');
        return;
      case 'connected':
        if (phase !== 'connecting') return;
        phase = 'joining';
        historyBuf = new HistoryRing<SeenPost>(seenLimit);
        historyCount = 0;
        out.push({ kind: 'send', command: { cmd: 'JOIN', channel, clientId: selfId } });
        return;
      case 'connect-failed':
        if (phase !== 'connecting') return;
        if (attempt === 'initial') emit({ event: 'error', code: 'CONNECT_FAILED', message: `cannot reach ${host?.peerId ?? '?'}${input.refused ? ' (refused)' : ''}` });
        targetFailed();
        return;
      case 'closed':
        if (phase === 'joined' && host !== undefined) {
          // Fast path (docs/protocol.md §5): closed without EXIT: try the same endpoint once; a
          // failure of that attempt (refused, or closed again before STANDBY) fails over.
          connOpen = false;
          connect(host, 'reconnect');
        } else if (phase === 'joining') {
          targetFailed();
        }
        return;
      case 'frame':
        onFrame(input.command);
        return;
      case 'post':
        if (phase === 'left') emit({ event: 'error', code: 'NOT_JOINED', message: `${channel} was left` });
        else if (pending.length >= pendingLimit) emit({ event: 'error', code: 'PENDING_FULL', message: `${pendingLimit} posts await their echo` });
        else {
          pending.push(input.text);
          if (phase === 'joined') out.push({ kind: 'send', command: { cmd: 'SAY', text: input.text } });
        }
        return;
      case 'exit':
        if (phase !== 'left') leave('exit');
        return;
      case 'lobby':
        onLobby(input.hosts);
        return;
    }
  }

  return {
    handle(input: MemberInput): MemberEffect[] {
      out = [];
      handle(input);
      return out;
    },
    snapshot: (): MembershipSnapshot => ({ phase, host: host?.peerId, standby, pending: [...pending], expectedResends: expectedCount }),
  };
}
