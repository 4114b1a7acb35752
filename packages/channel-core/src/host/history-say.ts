/** The frame of one replayed history post (a `replay` effect's posts; docs/protocol.md §2.6, §2.8). */
import type { ServerCommand } from '@ims/codec';
import type { Post } from '../types.js';

/** `SAY authorId text at`: a history post with the time its host accepted it. */
export function historySay(post: Post): ServerCommand {
  return { cmd: 'SAY', authorId: post.authorId, text: post.text, at: post.at };
}
