import { describe, expect, it } from 'vitest';
import { MODELS } from '../../../src/lib/models/registry';
import {
  defaultModel,
  effectiveLifecycle,
  lifecycleWarning,
  listedEntry,
  modelChoices,
  modelInUse,
  resolveModel,
} from '../../../src/lib/models/resolve';

const TODAY = '2026-11-24';

describe('the registry', () => {
  it('covers every model of the guide and every current one', () => {
    const ids = MODELS.flatMap((m) => [m.id, ...m.aliases]);
    for (const id of [
      'gpt-image-2.6-flare',
      'gpt-image-2.6-sunburst',
      'gpt-image-2.5-flare',
      'gpt-image-2.5-flare-2026-09-08',
      'gpt-image-2.5-sunburst',
      'gpt-image-2.5-sunburst-2026-09-08',
      'gpt-image-2',
      'gpt-image-2-2026-04-21',
      'gpt-image-1.5',
      'gpt-image-1-mini',
      'chatgpt-image-latest',
      'gpt-image-1',
      'dall-e-3',
      'dall-e-2',
    ])
      expect(ids).toContain(id);
  });

  it('has one entry per id', () => {
    const ids = MODELS.flatMap((m) => [m.id, ...m.aliases]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['gpt-image-2.6-flare', 'active'],
    ['gpt-image-2', 'active'],
    ['gpt-image-1.5', 'deprecated'],
    ['gpt-image-1-mini', 'deprecated'],
    ['chatgpt-image-latest', 'deprecated'],
    ['gpt-image-1', 'shutdown'],
    ['dall-e-3', 'shutdown'],
    ['dall-e-2', 'shutdown'],
  ])('%s is %s on 2026-11-24', (id, state) => {
    expect(effectiveLifecycle(resolveModel(id), undefined, TODAY).state).toBe(state);
  });

  it('only 2.6 takes complexity and GIF; 2.x never takes input_fidelity', () => {
    for (const m of MODELS) {
      expect(m.complexity !== null, m.id).toBe(m.id.startsWith('gpt-image-2.6'));
      expect(m.formats.includes('gif'), m.id).toBe(m.id.startsWith('gpt-image-2.6'));
      if (m.id.startsWith('gpt-image-2')) expect(m.inputFidelity, m.id).toBeNull();
    }
  });
});

describe('resolveModel', () => {
  it('finds a snapshot alias and keeps the id the user typed', () => {
    const p = resolveModel('gpt-image-2.5-flare-2026-09-08');
    expect(p.id).toBe('gpt-image-2.5-flare-2026-09-08');
    expect(p.qualities).toContain('xhigh');
    expect(p.origin).toBe('registry');
  });

  it('maps an unseen dated snapshot to its family', () => {
    const p = resolveModel('gpt-image-2.6-sunburst-2027-01-15');
    expect(p.origin).toBe('family');
    expect(p.complexity).toEqual(['low', 'medium', 'high']);
  });

  it('gives an unknown id a permissive generic profile', () => {
    const p = resolveModel('gpt-image-3-preview');
    expect(p.origin).toBe('generic');
    expect(p.sizes.kind).toBe('any');
    expect(p.formats).toEqual(['png', 'jpeg', 'webp']);
    expect(p.complexity).toBeNull();
  });

  it('does not treat a different model as a snapshot of a prefix', () => {
    expect(resolveModel('gpt-image-2.5-flare').id).toBe('gpt-image-2.5-flare');
    expect(resolveModel('gpt-image-20').origin).toBe('generic');
  });
});

describe('lifecycle from GET /v1/models', () => {
  const p = resolveModel('gpt-image-2');
  it.each([
    [null, 'active'],
    ['2027-03-01', 'deprecated'],
    ['2026-11-24', 'shutdown'],
    ['2026-01-01', 'shutdown'],
    ['soon', 'active'],
  ])('shutdown_date %s → %s', (date, state) => {
    expect(effectiveLifecycle(p, { id: 'gpt-image-2', shutdown_date: date }, TODAY).state).toBe(state);
  });

  it('a deprecation whose date has passed counts as shut down', () => {
    expect(effectiveLifecycle(resolveModel('gpt-image-1.5'), undefined, '2026-12-02')).toEqual({
      state: 'shutdown',
      since: '2026-12-01',
    });
  });

  it('warns before sending to deprecated and shut-down models, naming the replacement', () => {
    const dep = lifecycleWarning(resolveModel('gpt-image-1.5'), {
      state: 'deprecated',
      shutdown: '2026-12-01',
    });
    expect(dep?.level).toBe('warning');
    expect(dep?.message).toMatch(/shuts down on 2026-12-01.*gpt-image-2.6-sunburst/);
    const gone = lifecycleWarning(resolveModel('dall-e-3'), { state: 'shutdown', since: '2026-05-12' });
    expect(gone?.level).toBe('error');
    expect(lifecycleWarning(resolveModel('gpt-image-2'), { state: 'active' })).toBeNull();
  });
});

describe('model choices and the default model', () => {
  const server = [
    { id: 'gpt-image-2', shutdown_date: null },
    { id: 'gpt-image-1.5', shutdown_date: '2026-12-01' },
    { id: 'gpt-image-2.7-nova', shutdown_date: null },
    { id: 'gpt-6.1-sol', shutdown_date: null },
  ];

  it('marks what the key can see and adds unknown image models the server lists', () => {
    const choices = modelChoices(server, TODAY);
    expect(choices.find((c) => c.id === 'gpt-image-2')?.visible).toBe(true);
    expect(choices.find((c) => c.id === 'gpt-image-2.6-flare')?.visible).toBe(false);
    expect(choices.find((c) => c.id === 'gpt-image-2.7-nova')).toMatchObject({ visible: true, known: false });
    expect(choices.some((c) => c.id === 'gpt-6.1-sol')).toBe(false);
  });

  it('defaults to the newest active model the key can see', () => {
    expect(defaultModel(server, TODAY)).toBe('gpt-image-2');
    expect(defaultModel(null, TODAY)).toBe('gpt-image-2.6-flare');
    expect(defaultModel([{ id: 'gpt-image-2.5-sunburst-2026-09-08' }], TODAY)).toBe('gpt-image-2.5-sunburst');
  });
});

describe('which model the studio uses (modelInUse)', () => {
  const no26 = [{ id: 'gpt-image-2.5-flare' }, { id: 'gpt-image-2' }, { id: 'gpt-image-1.5' }];
  it.each([
    // current, chosen, the key's list, expected
    ['gpt-image-2.6-flare', false, null, 'gpt-image-2.6-flare'],
    ['gpt-image-2.6-flare', false, no26, 'gpt-image-2.5-flare'],
    ['gpt-image-2.6-flare', false, [{ id: 'gpt-image-2' }], 'gpt-image-2'],
    ['gpt-image-2.5-flare', false, [{ id: 'gpt-image-2.6-sunburst' }], 'gpt-image-2.6-sunburst'],
    ['', false, no26, 'gpt-image-2.5-flare'],
    // The user's own choice stays, listed or not (the warnings say the rest).
    ['gpt-image-2.6-flare', true, no26, 'gpt-image-2.6-flare'],
    ['gpt-image-9-test', true, no26, 'gpt-image-9-test'],
    ['gpt-image-2', true, null, 'gpt-image-2'],
    // A blank choice is no choice.
    ['  ', true, no26, 'gpt-image-2.5-flare'],
  ] as const)('%j chosen=%s, list %j → %s', (current, chosen, list, expected) => {
    expect(modelInUse(current, chosen, list ? [...list] : null, TODAY)).toBe(expected);
  });

  it('never picks a model the key lists only as shut down or unknown', () => {
    const list = [{ id: 'gpt-image-1.5' }, { id: 'gpt-image-7-x' }, { id: 'gpt-image-2' }];
    expect(modelInUse('gpt-image-2.6-flare', false, list, TODAY)).toBe('gpt-image-2');
  });
});

describe('whether the key lists a model (listedEntry)', () => {
  it.each([
    ['gpt-image-2', [{ id: 'gpt-image-2' }], 'gpt-image-2'],
    // A dated snapshot the registry names as an alias counts for its model, and the other way round.
    ['gpt-image-2.5-flare', [{ id: 'gpt-image-2.5-flare-2026-09-08' }], 'gpt-image-2.5-flare-2026-09-08'],
    ['gpt-image-2.5-flare-2026-09-08', [{ id: 'gpt-image-2.5-flare' }], 'gpt-image-2.5-flare'],
    ['gpt-image-2', [{ id: 'gpt-image-2-2026-04-21' }], 'gpt-image-2-2026-04-21'],
    // The exact id wins over an alias.
    ['gpt-image-2', [{ id: 'gpt-image-2-2026-04-21' }, { id: 'gpt-image-2' }], 'gpt-image-2'],
    // A snapshot only guessed from its date suffix is not the registry's alias: it does not count.
    ['gpt-image-2.6-flare', [{ id: 'gpt-image-2.6-flare-2026-12-01' }], undefined],
    ['gpt-image-2.6-flare-2026-12-01', [{ id: 'gpt-image-2.6-flare' }], undefined],
    // Another model of the same family is another model.
    ['gpt-image-2.5-flare', [{ id: 'gpt-image-2.5-sunburst-2026-09-08' }], undefined],
    ['gpt-image-9-test', [{ id: 'gpt-image-2' }], undefined],
  ] as const)('%s in %j → %s', (id, list, expected) => {
    expect(listedEntry(id, list)?.id).toBe(expected);
  });
});
