/**
 * `ims keygen FILE` and the steps of a key rotation (docs/security.md "Rotating the key"): the key
 * file is what an operator copies to every peer, so each step rewrites it in place (atomically).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { formatNetworkKeys, generateNetworkKey, readNetworkKeyFile, type NetworkKey } from '@ims/secure';
import type { KeygenStep } from './config.js';

/** What a keygen step did, for the user. */
export interface KeygenResult {
  /** Key IDs in the file afterwards, the sealing one first. */
  readonly keyIds: readonly string[];
  /** One line that says what changed and what to do next. */
  readonly message: string;
}

/** Runs one keygen step on `file`; throws SecureError (bad or unreadable file) or an Error with a message for the user. */
export function runKeygen(file: string, step: KeygenStep): KeygenResult {
  if (step === 'new') {
    const key = generateNetworkKey();
    try {
      writeFileSync(file, formatNetworkKeys([key]), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new Error(`${file} exists: a new key would lock out every peer that has it; use --next to rotate, or remove the file first`, { cause: err });
      throw new Error(`cannot write ${file} (${code ?? String(err)})`, { cause: err });
    }
    return { keyIds: [key.id], message: `wrote network key ${key.id} to ${file}: copy it (mode 0600) to every peer and start each with --network-key-file ${file}` };
  }
  const keys = readNetworkKeyFile(file);
  const [first, second] = keys;
  let next: NetworkKey[];
  let message: string;
  if (step === 'next') {
    const fresh = generateNetworkKey();
    next = [keys[0] as NetworkKey, fresh, ...keys.slice(1)];
    message = `added key ${fresh.id} as accepted (not used yet): copy ${file} to every peer and restart each, then run keygen --promote`;
  } else if (step === 'promote') {
    if (second === undefined || first === undefined) throw new Error(`${file} holds one key: run keygen --next first`);
    next = [second, first, ...keys.slice(2)];
    message = `key ${second.id} is used now, ${first.id} still accepted: copy ${file} everywhere and restart each peer, then run keygen --retire`;
  } else {
    if (first === undefined || second === undefined) throw new Error(`${file} holds one key: nothing to retire`);
    next = [first];
    message = `kept only key ${first.id}: copy ${file} everywhere; peers still on a retired key are locked out`;
  }
  const temp = `${file}.${process.pid}.new`;
  writeFileSync(temp, formatNetworkKeys(next), { mode: 0o600 });
  renameSync(temp, file);
  return { keyIds: next.map((k) => k.id), message };
}
