/**
 * Secure mode for one run (docs/security.md): one network key file, an identity file per host, and
 * the map between host names and peer IDs. In secure mode a peer ID is derived from the identity
 * (`k` + 52 base32 characters) and cannot be chosen, so netsim makes each host's identity before
 * the host starts, knows its ID, and maps IDs back to host names wherever the apps print them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareIds } from '@ims/codec';
import { formatNetworkKeys, generateIdentity, generateNetworkKey, secureMode, type Identity, type NetworkKey, type SecureMode } from '@ims/secure';
import type { HostSpec, Scenario } from '../scenario/types.js';

/**
 * The peer IDs a hostile peer claims (standby hijack, forged server PDU): well-formed key IDs that
 * sort before any other in secure mode; in plain mode digits sort before the scenarios' names.
 */
const CLAIMED_IDS = {
  secure: { hijackId: `k${'2'.repeat(51)}a`, forgedId: `k${'2'.repeat(51)}q` },
  plain: { hijackId: '0-hostile', forgedId: '0-forged' },
} as const;

/** What a run in (partly) secure mode hands its processes and checks. */
export interface SecureRun {
  /** Whether any host of the run is in secure mode. */
  readonly any: boolean;
  /** The network key file (mode 0600), shared by every secure host. */
  readonly keyFile: string;
  /** A key file of another network: a hostile peer with `sealKey: wrong` seals its forgeries under it. */
  readonly wrongKeyFile: string;
  /** Whether `name` runs in secure mode (hostile peers never do: they are keyless outsiders). */
  isSecure(name: string): boolean;
  /** The identity file of a secure host. */
  identityFile(name: string): string;
  /** The peer ID `name` has on the network: the identity's in secure mode, the name in plain mode. */
  idOf(name: string): string;
  /** The host name of a peer ID netsim knows (derived IDs and hostile peers' claimed IDs), else undefined. */
  nameOf(id: string): string | undefined;
  /** The policy files every secure host gets (`--allow-peers-file`, `--revoked-peers-file`), when the scenario has the lists. */
  policyFiles(name: string): { readonly allow?: string; readonly revoked?: string };
  /** A member's view of the network for the wire recorder (it holds the key), or undefined without secure hosts. */
  readonly observer: SecureMode | undefined;
}

/** Whether `spec` runs in secure mode in `scenario`: its own `secure`, else the scenario's; hostile peers never. */
export function isSecureHost(scenario: Scenario, spec: HostSpec): boolean {
  return spec.kind !== 'hostile' && (spec.secure ?? scenario.secure);
}

/** Writes the run's key files and identities (under `runDir/secure`) and maps IDs to names. */
export async function prepareSecureRun(scenario: Scenario, runDir: string): Promise<SecureRun> {
  const dir = join(runDir, 'secure');
  const keyFile = join(dir, 'network.key');
  const wrongKeyFile = join(dir, 'other-network.key');
  const secureHosts = [...scenario.hosts.values()].filter((h) => isSecureHost(scenario, h)).map((h) => h.name);
  const ids = new Map<string, string>();
  let key: NetworkKey | undefined;
  const wrongKey = [...scenario.hosts.values()].some((h) => h.kind === 'hostile' && h.sealKey === 'wrong');
  if (secureHosts.length > 0 || wrongKey) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(wrongKeyFile, formatNetworkKeys([generateNetworkKey()]), { mode: 0o600 });
  }
  if (secureHosts.length > 0) {
    key = generateNetworkKey();
    await writeFile(keyFile, formatNetworkKeys([key]), { mode: 0o600 });
    // Peer IDs in the order of the host names, as in plain mode where the ID is the name: what a
    // scenario says about the smallest ID (docs/protocol.md §5.2, §5.8) holds in both modes.
    const identities = secureHosts.map(() => generateIdentity()).sort((a, b) => compareIds(a.peerId, b.peerId));
    const byName = [...secureHosts].sort(compareIds);
    for (const [i, name] of byName.entries()) {
      const identity = identities[i] as Identity;
      // The same file across restarts: a restarted host keeps its peer ID.
      await writeFile(join(dir, `${name}.identity`), identity.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      ids.set(name, identity.peerId);
    }
  }
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  for (const h of scenario.hosts.values()) {
    if (h.kind === 'hostile' && h.victim !== undefined) for (const id of Object.values(claimedIds(scenario))) names.set(id, h.name);
  }
  const lists: { allow?: string; revoked?: string } = {};
  for (const list of ['allow', 'revoked'] as const) {
    const hostsOf = scenario[list];
    if (hostsOf === undefined || secureHosts.length === 0) continue;
    lists[list] = join(dir, `${list}.peers`);
    await writeFile(lists[list], hostsOf.map((h) => `${ids.get(h) ?? h}  # ${h}\n`).join(''), { mode: 0o600 });
  }
  const observer = key ? secureMode({ identity: generateIdentity(), keys: [key] }) : undefined;
  return {
    any: secureHosts.length > 0,
    keyFile,
    wrongKeyFile,
    isSecure: (name) => ids.has(name),
    identityFile: (name) => join(dir, `${name}.identity`),
    idOf: (name) => ids.get(name) ?? name,
    nameOf: (id) => names.get(id),
    // A revoked peer is not told it is revoked: the others are.
    policyFiles: (name) => ({ ...(lists.allow ? { allow: lists.allow } : {}), ...(lists.revoked && !scenario.revoked?.includes(name) ? { revoked: lists.revoked } : {}) }),
    observer,
  };
}

/** The IDs a hostile peer claims, smallest first (docs/protocol.md §5.2, §5.8: the smallest ID wins a tie). */
export function claimedIds(scenario: Scenario): { readonly hijackId: string; readonly forgedId: string } {
  return scenario.secure ? CLAIMED_IDS.secure : CLAIMED_IDS.plain;
}

/** `value` with every string that is a known peer ID replaced by its host name (deep: arrays, objects). */
export function namesForIds(value: unknown, nameOf: (id: string) => string | undefined): unknown {
  if (typeof value === 'string') return nameOf(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => namesForIds(v, nameOf));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, namesForIds(v, nameOf)]));
  return value;
}
