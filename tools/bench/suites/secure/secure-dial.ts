/**
 * Load clients of a secure server: TLS 1.3 with the member's own certificate, then the same frames
 * as plain (load-client.ts), JOINing as the member's key-derived peer ID, which is what a secure
 * server requires of a JOIN (docs/protocol.md §6.2, IDENTITY_MISMATCH).
 */
import { connect, createSecureContext, type SecureContext } from 'node:tls';
import type { SecureMode } from '@ims/secure';
import { attachClient, type Dial } from '../server/load-client.js';
import type { MemberPool } from './members.js';

/** Each member's TLS context, parsed once (a context per connect would put PEM parsing on the load side's clock). */
const contexts = new WeakMap<SecureMode, SecureContext>();

function contextOf(mode: SecureMode): SecureContext {
  let context = contexts.get(mode);
  if (context === undefined) {
    const tls = mode.tls();
    context = createSecureContext({ key: tls.key, cert: tls.cert, ca: [...tls.ca], minVersion: 'TLSv1.3' });
    contexts.set(mode, context);
  }
  return context;
}

/** A dial that connects member `id` of `pool` over TLS 1.3 and JOINs with its peer ID as clientId. */
export function secureDial(pool: MemberPool): Dial {
  return (port, channel, id) => {
    const mode = pool.modeOf(id);
    const socket = connect({
      host: '127.0.0.1',
      port,
      secureContext: contextOf(mode),
      // The server's certificate must chain to the network CA (rejectUnauthorized stays on); it names
      // no host name, only a key, and which server ID it proves does not matter to a load test.
      checkServerIdentity: () => undefined,
      minVersion: 'TLSv1.3',
    });
    return attachClient(socket, channel, mode.identity.peerId, 'secureConnect');
  };
}
