/**
 * The reducer's public channel lists, announced once a turn. The reducer emits the whole list on
 * every channel opened or closed, and each announcement costs O(channels) (discovery's state and
 * PDU, the linger, the puller): a turn that opens or closes many channels (a takeover of a dead
 * host's channels, a burst of JOINs read in one turn) announced O(channels²) names where the last
 * list says it all. Discovery throttles its PDUs anyway (docs/protocol.md §3), so nothing a peer
 * sees is lost or later than a turn.
 */

/** What the announcer needs of the transport: the end of the turn. */
export interface TurnEnd {
  /** Runs `cb` once at the end of this turn (Transport.beforeFlush). */
  beforeFlush(cb: () => void): void;
}

/** Holds the latest list of the turn and hands it to `announce` at the turn's end. */
export class ChannelAnnouncer {
  private pending: readonly string[] | undefined;
  /** One bound function for every turn (no closure per list). */
  private readonly atTurnEnd = (): void => this.flush();

  /** @param announce sends a list (the service's setServer); not called for a list dropped by {@link drop} */
  constructor(
    private readonly turn: TurnEnd,
    private readonly announce: (channels: readonly string[]) => void,
  ) {}

  /** The reducer's newest list: announced at the end of the turn unless a newer one comes first. */
  set(channels: readonly string[]): void {
    const scheduled = this.pending !== undefined;
    this.pending = channels;
    if (!scheduled) this.turn.beforeFlush(this.atTurnEnd);
  }

  /** Announces the pending list now (before an invitation, which should find its channel announced); a no-op if none. */
  flush(): void {
    const channels = this.pending;
    if (channels === undefined) return;
    this.pending = undefined;
    this.announce(channels);
  }

  /** Forgets the pending list (the service stops hosting). */
  drop(): void {
    this.pending = undefined;
  }
}
