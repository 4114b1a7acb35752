/**
 * The server's peer ID when `--id` is not given: kept in `--data-dir` so a restarted box keeps its
 * identity (members' `--server`, standby choices and the partition rule all name peers by ID).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidConfiguredPeerId, MAX_CONFIGURED_PEER_ID_LENGTH } from '@ims/codec';

/** Name of the ID file inside `--data-dir`. */
export const SERVER_ID_FILE = 'server-id';

/** The ID file cannot be read or written, or holds no valid peer ID. */
export class ServerIdError extends Error {
  override readonly name = 'ServerIdError';
  readonly code = 'SERVER_ID_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The ID stored in `dataDir`, created (a random UUID) on first use; a fresh UUID without a data dir. */
export function defaultServerId(dataDir: string | undefined): string {
  if (dataDir === undefined) return randomUUID();
  const file = join(dataDir, SERVER_ID_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw new ServerIdError(`cannot read ${file}`, { cause: err });
  }
  if (text !== undefined) {
    // docs/protocol.md §1, the same rule as `--id`.
    if (!isValidConfiguredPeerId(text)) {
      throw new ServerIdError(`${file} does not hold a peer ID (visible ASCII, 1-${MAX_CONFIGURED_PEER_ID_LENGTH} characters)`);
    }
    return text;
  }
  const id = randomUUID();
  try {
    mkdirSync(dataDir, { recursive: true });
    // 'wx': never overwrite an ID another process wrote in the meantime.
    writeFileSync(file, id + '\n', { flag: 'wx' });
  } catch (err) {
    throw new ServerIdError(`cannot write ${file}`, { cause: err });
  }
  return id;
}
