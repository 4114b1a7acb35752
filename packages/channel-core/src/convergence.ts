/** Partition heal (docs/protocol.md §5, docs/architecture.md "Partition heal"), as a pure rule. */
import { compareIds } from '@ims/codec';

/** The host a channel converges on when several announce it: the smallest peer ID (byte order). */
export function convergenceWinner(hostIds: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const id of hostIds) if (best === undefined || compareIds(id, best) < 0) best = id;
  return best;
}
