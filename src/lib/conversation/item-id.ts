/** Library ids of conversation images, and the way back to their turn (kept tiny: the app shell imports it). */
const PREFIX = 'conv-';

/** The library id of a turn's image: stable, so saving it twice replaces rather than duplicates. */
export const conversationItemId = (turnId: string, itemId: string): string => `${PREFIX}${turnId}~${itemId}`;

/** The turn a conversation item came from, or null for any other item. */
export function turnOfItem(itemId: string): string | null {
  if (!itemId.startsWith(PREFIX)) return null;
  const end = itemId.indexOf('~');
  return end > PREFIX.length ? itemId.slice(PREFIX.length, end) : null;
}
