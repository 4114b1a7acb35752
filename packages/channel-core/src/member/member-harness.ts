/** Test helpers for the member reducer (imported by specs only; not exported from the package). */
import type { ServerCommand } from '@ims/codec';
import { createMember } from './member.js';
import type { LobbyHost, MemberEffect, MemberEvent, MemberOptions, MemberTarget } from './member-types.js';

/** The host a member joins first. */
export const H: MemberTarget = { peerId: 'H', address: '127.0.0.1', port: 50_001 };
/** The standby `joined` names by default. */
export const S: MemberTarget = { peerId: 'S', address: '127.0.0.1', port: 50_002 };
/** A lobby entry for `t` (announcing '#a' unless told otherwise). */
export const lobbyHost = (t: MemberTarget, state: LobbyHost['state'] = 'alive', channels = ['#a']): LobbyHost => ({
  id: t.peerId, address: t.address, port: t.port, state, channels,
});
/** A server SAY frame. */
export const say = (authorId: string, text: string): ServerCommand => ({ cmd: 'SAY', authorId, text });
/** A STANDBY frame. */
export const standby = (peerId: string): ServerCommand => ({ cmd: 'STANDBY', peerId });
/** The EXIT a member sends before it closes a connection that has its JOIN (docs/protocol.md §2.7). */
export const exitSent: MemberEffect = { kind: 'send', command: { cmd: 'EXIT' } };
/** The events among a batch of effects. */
export const events = (fx: readonly MemberEffect[]): MemberEvent[] => fx.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
/** The effects that are not events (connect, send, disconnect). */
export const wire = (fx: readonly MemberEffect[]): MemberEffect[] => fx.filter((e) => e.kind !== 'event');

/** A member joined to H (history `history`, standby `sb`), with the lobby showing `lobby`. */
export function joined(history: ServerCommand[] = [], sb = 'S', lobby: LobbyHost[] = [lobbyHost(H), lobbyHost(S, 'alive', [])], opts: Partial<MemberOptions> = {}) {
  const m = createMember({ selfId: 'me', channel: '#a', ...opts });
  m.handle({ kind: 'lobby', at: 0, hosts: lobby });
  m.handle({ kind: 'join', target: H });
  m.handle({ kind: 'connected' });
  const fx: MemberEffect[] = [];
  // Frames arrive 10 ms apart on the runtime's clock.
  let at = 0;
  for (const c of [...history, standby(sb)]) fx.push(...m.handle({ kind: 'frame', command: c, at: (at += 10) }));
  const feed = (...cmds: ServerCommand[]): MemberEffect[] => cmds.flatMap((command) => m.handle({ kind: 'frame', command, at: (at += 10) }));
  return { m, fx, feed };
}
