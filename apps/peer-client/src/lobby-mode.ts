/**
 * `lobby [--json]`: listen for a while (default two announce intervals), print one snapshot, exit 0.
 */
import { EXIT } from './config.js';
import { lobbyToJson, renderLobby } from './lobby-view.js';
import type { PeerNode } from './peer-node.js';

/** Options of {@link runLobby}. */
export interface RunLobbyOptions {
  readonly node: PeerNode;
  /** How long to listen before printing, in ms. */
  readonly waitMs: number;
  readonly json: boolean;
  readonly write: (line: string) => void;
  /** Wall clock for the `ts` field. @default Date.now */
  readonly clock?: () => number;
}

/** Waits, prints the lobby once, resolves to exit code 0. */
export async function runLobby(options: RunLobbyOptions): Promise<number> {
  await new Promise<void>((resolve) => setTimeout(resolve, options.waitMs));
  const lobby = options.node.lobby();
  options.write(options.json ? JSON.stringify(lobbyToJson(lobby, (options.clock ?? Date.now)())) : renderLobby(lobby));
  return EXIT.OK;
}
