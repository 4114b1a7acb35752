/**
 * Secure mode's identity rule for JOIN (docs/protocol.md §2.4, §6.2): on a connection whose remote
 * proved a peer ID (TLS, `Connection.peerId`), a JOIN may name only that ID as clientId; one
 * without clientId takes it. Checked where the host service maps a connection's frames to reducer
 * input, so the reducer stays pure and plain mode (no proven ID) is untouched. The ID_IN_USE check
 * of §2.6 still runs in the reducer: a second connection of the same proven peer is that case. A
 * JOIN naming another ID is refused even on a joined connection (where the reducer would ignore a
 * repeated JOIN): it is a claim of an identity the connection does not have.
 */
import type { JoinCommand } from '@ims/codec';

/** The ERROR code of a JOIN naming another ID than the connection's proven one. */
export const IDENTITY_MISMATCH = 'IDENTITY_MISMATCH';

/** Longest part of a claimed clientId echoed into the ERROR and the log (a clientId may be a whole frame long). */
const MAX_ECHOED = 64;

/** What to do with a JOIN: feed `join` to the reducer, or refuse it with `message`. */
export type IdentityVerdict = { readonly ok: true; readonly join: JoinCommand } | { readonly ok: false; readonly claimed: string; readonly message: string };

/** The JOIN to feed for connection proven as `provenId` (undefined in plain mode: the JOIN as it came). */
export function checkJoinIdentity(join: JoinCommand, provenId: string | undefined): IdentityVerdict {
  if (provenId === undefined || join.clientId === provenId) return { ok: true, join };
  if (join.clientId === undefined) return { ok: true, join: { ...join, clientId: provenId } };
  const claimed = join.clientId.length > MAX_ECHOED ? `${join.clientId.slice(0, MAX_ECHOED)}...` : join.clientId;
  return { ok: false, claimed, message: `JOIN clientId ${claimed} is not this connection's proven peer ID ${provenId}` };
}
