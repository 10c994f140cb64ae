import { describe, expect, it } from 'vitest';
import {
  conversationImageRecord,
  conversationItemId,
  turnOfItem,
} from '../../../src/lib/conversation/library';
import type { TurnRecord } from '../../../src/lib/conversation/tree';
import { turnImage, turnRecord } from '../factories';

function turn(id: string, parentId: string | null, images: string[], createdAt: number): TurnRecord {
  return turnRecord(id, parentId, {
    createdAt,
    text: `message ${id}`,
    contextKind: 'none',
    lastSeq: 0,
    images: images.map((itemId) =>
      turnImage(itemId, {
        partialIndex: 0,
        revisedPrompt: `revised ${itemId}`,
        action: 'edit',
        size: '1024x1024',
        quality: 'high',
      }),
    ),
  });
}

describe('conversation images in the library', () => {
  const t1 = turn('t1', null, ['ig_1'], 1);
  const t2 = turn('t2', 't1', [], 2); // text only
  const t3 = turn('t3', 't2', ['ig_3'], 3);
  const branch = turn('t4', 't1', ['ig_4'], 4);
  const turns = [t1, t2, t3, branch];

  it('links each image to the newest image earlier on its own branch, in the thread of the first turn', () => {
    const r = conversationImageRecord(turns, t3, 'ig_3');
    expect(r).toMatchObject({
      id: conversationItemId('t3', 'ig_3'),
      kind: 'conversation',
      endpoint: '/responses',
      model: 'gpt-image-2',
      prompt: 'message t3',
      revisedPrompt: 'revised ig_3',
      echoed: { size: '1024x1024', quality: 'high', action: 'edit' },
      parent: conversationItemId('t1', 'ig_1'),
      thread: 't1',
      turn: 3,
    });
    expect(r.body).toMatchObject({ model: 'gpt-6.1-sol', response_id: 'resp_t3' });
    expect(conversationImageRecord(turns, branch, 'ig_4')).toMatchObject({ parent: r.parent, turn: 2 });
    expect(conversationImageRecord(turns, t1, 'ig_1')).toMatchObject({ parent: null, turn: 1 });
  });

  it('finds the turn again from the item id, and nothing for other items', () => {
    expect(turnOfItem(conversationItemId('t-17-abc', 'ig_9'))).toBe('t-17-abc');
    expect(turnOfItem('a1b2c3')).toBeNull();
    expect(turnOfItem('conv-~x')).toBeNull();
  });
});
