/**
 * How the wire recorder reads secure mode's sealed PeerPDUs: netsim's recorder is a member (it holds
 * the network key), so the wire checks (announcements, splits, private names) see what members see.
 * What an outsider sees is checked on the switch's capture instead (checks/plaintext.ts).
 */
import { decodePdu, encodePdu, type PduOption } from '@ims/codec';
import { looksSealed, type SecureMode } from '@ims/secure';

/**
 * A reader for recorded datagrams: a sealed one that opens becomes its PDU with host names for the
 * peer IDs netsim knows; plain ones, and sealed ones that do not open (another network's key, a
 * replay), stay as they were (the checks then do not decode them as PDUs).
 */
export function datagramReader(observer: SecureMode, nameOf: (id: string) => string | undefined): (bytes: Uint8Array) => Uint8Array {
  const name = (id: string): string => nameOf(id) ?? id;
  return (bytes) => {
    if (!looksSealed(bytes)) return renamed(bytes, name);
    const opened = observer.sealer.open(bytes);
    return opened.ok ? renamed(opened.pdu, name) : bytes;
  };
}

/** The PDU with its peer IDs renamed; unchanged when it does not decode or re-encode. */
function renamed(pdu: Uint8Array, name: (id: string) => string): Uint8Array {
  const d = decodePdu(pdu);
  if (!d.ok) return pdu;
  const options = d.value.options.map((o): PduOption => {
    if (o.type === 'CLIENT_MEMBERSHIP') return { ...o, servers: o.servers.map((m) => ({ ...m, serverId: name(m.serverId) })) };
    if (o.type === 'SERVER_INVITE') return { ...o, clientIds: o.clientIds.map(name) };
    return o;
  });
  try {
    return encodePdu({ peerId: name(d.value.peerId), options });
  } catch {
    // Scenario host names are valid IDs; should the codec still refuse one, the checks read the PDU as sent.
    return pdu;
  }
}
