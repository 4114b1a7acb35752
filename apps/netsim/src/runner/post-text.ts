/**
 * What netsim types for a post: the scenario's text plus the author's post number, so two posts
 * with the same text stay two posts in every check (they are told apart by author and text).
 */
import type { EventLog } from './event-log.js';
import type { HostManager } from './host-manager.js';

/** The typed line: `text [n]`, n counting the author's posts of the run from 1. */
export function numberedText(text: string, seq: number): string {
  return `${text} [${seq}]`;
}

/** Logs and types one post; false when the author is not running. */
export function typePost(log: EventLog, hosts: HostManager, from: string, text: string): boolean {
  const seq = log.nextPostSeq(from);
  const line = numberedText(text, seq);
  log.push(from, 'netsim', 'post', { text: line, seq });
  return hosts.writeLine(from, line);
}
