// The mock's own table of models and what each one accepts on /v1/images/generations.
//
// This is deliberately independent of the app's model registry (src/...): if the app sends a
// parameter that a model does not take, the mock answers 400 the way the real API would, and
// the e2e tests notice. Facts come from shared/reference/models-2026-11.md (state on 2026-11-24).

/** Date the mock pretends it is: models whose shutdown_date is on or before it are gone. */
export const DEFAULT_TODAY = '2026-11-24';

/** Unix seconds for a YYYY-MM-DD date. @param {string} d */
const ts = (d) => Math.floor(Date.parse(`${d}T00:00:00Z`) / 1000);

/**
 * @typedef {object} ImageCaps
 * @property {'flex' | 'fixed'} sizes 'flex': any WxH within limits; 'fixed': only FIXED_SIZES
 * @property {number} [shortEdgeMax] extra limit on the short edge (gpt-image-2: max 3840x2160)
 * @property {string[]} qualities accepted `quality` values
 * @property {string[]} formats accepted `output_format` values
 * @property {string[] | null} inputFidelity accepted `input_fidelity` values, null = unknown parameter
 * @property {boolean} complexity accepts `complexity`
 * @property {boolean} gif accepts output_format gif with frame_count / frame_duration_ms
 * @property {number} maxInputImages how many images /v1/images/edits takes
 */

/**
 * @typedef {object} ModelEntry
 * @property {string} id
 * @property {number} created unix seconds
 * @property {string | null} shutdownDate YYYY-MM-DD
 * @property {'image' | 'text' | 'embedding'} kind
 * @property {ImageCaps} [caps] image models only
 */

const Q = ['low', 'medium', 'high', 'auto'];

/** @type {Record<string, ImageCaps>} */
const CAPS = {
  2.6: {
    sizes: 'flex',
    qualities: Q,
    formats: ['png', 'jpeg', 'webp', 'gif'],
    inputFidelity: null,
    complexity: true,
    gif: true,
    maxInputImages: 16,
  },
  2.5: {
    sizes: 'flex',
    qualities: ['low', 'medium', 'high', 'xhigh', 'max', 'auto'],
    formats: ['png', 'jpeg', 'webp'],
    inputFidelity: null,
    complexity: false,
    gif: false,
    maxInputImages: 16,
  },
  2: {
    sizes: 'flex',
    shortEdgeMax: 2160,
    qualities: Q,
    formats: ['png', 'jpeg', 'webp'],
    inputFidelity: null,
    complexity: false,
    gif: false,
    maxInputImages: 16,
  },
  1.5: {
    sizes: 'fixed',
    qualities: Q,
    formats: ['png', 'jpeg', 'webp'],
    inputFidelity: ['high', 'low'],
    complexity: false,
    gif: false,
    maxInputImages: 16,
  },
  mini: {
    sizes: 'fixed',
    qualities: Q,
    formats: ['png', 'jpeg', 'webp'],
    inputFidelity: ['low'],
    complexity: false,
    gif: false,
    maxInputImages: 16,
  },
};

/** @type {ModelEntry[]} */
export const MODELS = [
  {
    id: 'gpt-image-2.6-flare',
    created: ts('2026-11-04'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.6'],
  },
  {
    id: 'gpt-image-2.6-sunburst',
    created: ts('2026-11-04'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.6'],
  },
  {
    id: 'gpt-image-2.5-flare',
    created: ts('2026-09-08'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.5'],
  },
  {
    id: 'gpt-image-2.5-flare-2026-09-08',
    created: ts('2026-09-08'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.5'],
  },
  {
    id: 'gpt-image-2.5-sunburst',
    created: ts('2026-09-08'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.5'],
  },
  {
    id: 'gpt-image-2.5-sunburst-2026-09-08',
    created: ts('2026-09-08'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2.5'],
  },
  { id: 'gpt-image-2', created: ts('2026-04-21'), shutdownDate: null, kind: 'image', caps: CAPS['2'] },
  {
    id: 'gpt-image-2-2026-04-21',
    created: ts('2026-04-21'),
    shutdownDate: null,
    kind: 'image',
    caps: CAPS['2'],
  },
  {
    id: 'gpt-image-1.5',
    created: ts('2025-12-16'),
    shutdownDate: '2026-12-01',
    kind: 'image',
    caps: CAPS['1.5'],
  },
  {
    id: 'gpt-image-1.5-2025-12-16',
    created: ts('2025-12-16'),
    shutdownDate: '2026-12-01',
    kind: 'image',
    caps: CAPS['1.5'],
  },
  {
    id: 'gpt-image-1-mini',
    created: ts('2025-10-06'),
    shutdownDate: '2026-12-01',
    kind: 'image',
    caps: CAPS.mini,
  },
  {
    id: 'chatgpt-image-latest',
    created: ts('2025-12-16'),
    shutdownDate: '2026-12-01',
    kind: 'image',
    caps: CAPS['1.5'],
  },
  { id: 'gpt-6.1-sol', created: ts('2026-10-15'), shutdownDate: null, kind: 'text' },
  { id: 'gpt-6.1-terra', created: ts('2026-10-15'), shutdownDate: null, kind: 'text' },
  { id: 'gpt-6-luna', created: ts('2026-06-30'), shutdownDate: null, kind: 'text' },
  { id: 'gpt-5', created: ts('2025-08-07'), shutdownDate: '2026-12-11', kind: 'text' },
  { id: 'text-embedding-3-small', created: ts('2024-01-25'), shutdownDate: null, kind: 'embedding' },
];

/** Models that existed once and are shut down: requests for them get 404 model_not_found. */
export const SHUT_DOWN = /** @type {const} */ ({
  'gpt-image-1': '2026-10-23',
  'dall-e-2': '2026-05-12',
  'dall-e-3': '2026-05-12',
});

/** Sizes accepted by the fixed-size (1.x) models, besides 'auto'. */
export const FIXED_SIZES = ['1024x1024', '1024x1536', '1536x1024'];

/** Size limits for flexible-size models. */
export const FLEX = { multiple: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxRatio: 3 };

/**
 * Look a model up, treating models past their shutdown date as absent.
 * @param {string} id @param {string} [today]
 * @returns {ModelEntry | undefined}
 */
export function findModel(id, today = DEFAULT_TODAY) {
  const m = MODELS.find((e) => e.id === id);
  if (!m) return undefined;
  if (m.shutdownDate && m.shutdownDate <= today) return undefined;
  return m;
}

/**
 * The `/v1/models` list. `ids` (from x-mock-models or MOCK_OPENAI_MODELS) replaces the ids shown;
 * ids the table does not know are listed with plausible defaults.
 * @param {string[] | null | undefined} ids @param {string} [today]
 */
export function listModels(ids, today = DEFAULT_TODAY) {
  const entries = ids
    ? ids.map(
        (id) =>
          MODELS.find((e) => e.id === id) ?? {
            id,
            created: ts('2026-01-01'),
            shutdownDate: null,
            kind: /** @type {const} */ ('text'),
          },
      )
    : MODELS.filter((m) => !(m.shutdownDate && m.shutdownDate <= today));
  return { object: 'list', data: entries.map(toApiModel) };
}

/** @param {Pick<ModelEntry, 'id' | 'created' | 'shutdownDate'>} m */
export function toApiModel(m) {
  return { id: m.id, object: 'model', created: m.created, owned_by: 'system', shutdown_date: m.shutdownDate };
}

/** The ids of image models usable today, for "supported values" messages. @param {string} [today] */
export function imageModelIds(today = DEFAULT_TODAY) {
  return MODELS.filter((m) => m.kind === 'image' && findModel(m.id, today)).map((m) => m.id);
}
