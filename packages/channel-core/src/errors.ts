/**
 * Stable codes of the errors the channel reducers report (in ERROR frames, `log` effects and
 * member `error` events). Branch on the code, never on the message.
 */

/** Why a host refused a frame or a connection. */
export type ChannelErrorCode =
  /** SAY, EXIT or INVITE on a connection that has not joined a channel. */
  | 'NOT_JOINED'
  /** A JOIN for another channel on a connection that already has one (one channel per connection). */
  | 'ONE_CHANNEL_PER_CONNECTION'
  /** A JOIN would create a channel beyond `maxChannels`. */
  | 'TOO_MANY_CHANNELS'
  /** A JOIN to a channel that has `maxMembersPerChannel` members. */
  | 'CHANNEL_FULL'
  /** A JOIN to a private channel by a peer neither its creator nor invited. */
  | 'NOT_INVITED'
  /** An INVITE would grow a private channel's admission list beyond `maxAdmittedPerChannel`. */
  | 'ADMISSION_FULL'
  /** Not a channel name: '#' or '@' then visible ASCII (docs/protocol.md §1). */
  | 'BAD_CHANNEL_NAME'
  /** An INVITE naming more distinct peer IDs than `maxInviteIds`: nobody is invited. */
  | 'TOO_MANY_INVITEES'
  /** More INVITEs to announce than `invitesPerSecond` from one connection: this one is not announced. */
  | 'INVITE_RATE'
  /** The same client joined the same channel on a newer connection: the older one is closed. */
  | 'REPLACED'
  /** A JOIN naming a member whose older connection is still alive after its check (docs/protocol.md §10): the newcomer is closed. */
  | 'ID_IN_USE'
  /** A JOIN would create a channel beyond the creations one address may make per second (`channelCreationsPerSecond`). */
  | 'CREATE_RATE';
