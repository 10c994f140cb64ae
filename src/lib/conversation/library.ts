/**
 * How a conversation image goes into the library: its recipe (a summary of the turn's request), its lineage
 * (the previous turn's image as parent, the thread's first turn as thread) and an id that leads back to the turn,
 * so "Continue conversation" in the library can reopen it. Pure.
 */
import { conversationItemId } from './item-id';
import type { TurnRecord } from './tree';
import { pathTo } from './tree';

export { conversationItemId, turnOfItem } from './item-id';

export interface ConversationImageRecord {
  id: string;
  kind: 'conversation';
  endpoint: '/responses';
  model: string;
  prompt: string;
  body: Record<string, unknown>;
  revisedPrompt: string | null;
  echoed: Record<string, string>;
  status: 'complete';
  /** The estimate shown when the turn was sent (dollars only: a turn keeps no token estimate). */
  estimate: { usd: { low: number; point: number; high: number }; tokens: null } | null;
  parent: string | null;
  thread: string;
  turn: number;
  startedAt: number;
}

/** The library record of one final image of `turn` (`itemId` is its image_generation_call id). */
export function conversationImageRecord(
  turns: readonly TurnRecord[],
  turn: TurnRecord,
  itemId: string,
): ConversationImageRecord {
  const path = pathTo(turns, turn.id);
  const chain = path.length ? path : [turn];
  const image = turn.images.find((i) => i.itemId === itemId);
  // The newest image of an earlier turn on this path is what this turn built on.
  const earlier = chain
    .slice(0, -1)
    .reverse()
    .find((t) => t.images.some((i) => i.blob));
  const parentImage = earlier?.images.filter((i) => i.blob).at(-1);
  const echoed: Record<string, string> = {};
  if (image?.size) echoed.size = image.size;
  if (image?.quality) echoed.quality = image.quality;
  if (image?.action) echoed.action = image.action;
  return {
    id: conversationItemId(turn.id, itemId),
    kind: 'conversation',
    endpoint: '/responses',
    model: turn.toolModel,
    prompt: turn.text,
    body: {
      model: turn.mainline,
      tools: [{ type: 'image_generation', model: turn.toolModel, action: turn.requestedAction }],
      store: turn.store,
      background: turn.background,
      ...(turn.responseId ? { response_id: turn.responseId } : {}),
    },
    revisedPrompt: image?.revisedPrompt ?? null,
    echoed,
    status: 'complete',
    estimate: turn.estimate ? { usd: { ...turn.estimate }, tokens: null } : null,
    parent: earlier && parentImage ? conversationItemId(earlier.id, parentImage.itemId) : null,
    thread: chain[0]!.id,
    turn: chain.length,
    startedAt: turn.createdAt,
  };
}
