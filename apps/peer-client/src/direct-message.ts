/**
 * `/msg WHO text`: a private channel for two (docs/protocol.md §8), created and invited in one step.
 *
 * - Its name is the same from both sides: `@msg.` and a hash of the two peer IDs, so a reply lands
 *   in the same channel and nobody else's pair can collide with it.
 * - It is created on the **addressee's** embedded host when the addressee has one: private names
 *   are never announced (§3.5) and ims sends no private invitation over the network (§3.8), but
 *   the addressee's own peer sees the channel appear on its host, with a post for it, and joins it.
 *   The sender JOINs (creating it: the sender is admitted as creator), INVITEs the addressee (admitted),
 *   and only then SAYs the text, so the host has the invitation before the addressee can JOIN.
 * - An addressee without a host is told nothing by the wire: the sender gets the line to pass on.
 */
import { createHash } from 'node:crypto';
import { compareIds } from '@ims/codec';

/** What the inbox reads of a host's live private channel. */
export interface HostedChannel {
  readonly name: string;
  readonly private: boolean;
  readonly members: readonly { readonly id: string }[];
  readonly historyLength: number;
}

/** A private chat opened for this peer on its own host. */
export interface DirectMessage {
  readonly channel: string;
  /** The other peer (the sender). */
  readonly from: string;
}

/** The channel of the private chat between `a` and `b` (the same whichever side asks). */
export function directChannel(a: string, b: string): string {
  const [x, y] = compareIds(a, b) <= 0 ? [a, b] : [b, a];
  return `@msg.${createHash('sha256').update(`${x}\u0000${y}`).digest('hex').slice(0, 24)}`;
}

/**
 * The private chats for `self` among a host's channels that have posts it has not been told of:
 * one per channel whose name is {@link directChannel} of `self` and a member, once per growth of
 * its history past `told` (updated here), and never for one `self` is in already.
 */
export function newDirectMessages(self: string, channels: readonly HostedChannel[], told: Map<string, number>, joined: (channel: string) => boolean): DirectMessage[] {
  const out: DirectMessage[] = [];
  for (const c of channels) {
    if (!c.private || !c.name.startsWith('@msg.') || c.historyLength === 0) continue;
    if (c.members.some((m) => m.id === self) || joined(c.name)) continue;
    const from = c.members.find((m) => m.id !== self && directChannel(self, m.id) === c.name)?.id;
    if (from === undefined || (told.get(c.name) ?? 0) >= c.historyLength) continue;
    told.set(c.name, c.historyLength);
    out.push({ channel: c.name, from });
  }
  return out;
}
