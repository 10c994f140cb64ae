/**
 * What Edit mode needs only once the user edits: file intake (magic bytes, headers, decoding), the edit rules,
 * the multipart request builder and the run that sends it. EditState loads this on first use, so the first page
 * load does not carry it (the service worker precaches it, so it loads offline too).
 */
export { buildEditForm, describeEditRequest } from '../api/edits';
export { buildVariationForm, canVary, validateVariation } from '../api/variations';
export { convertToPng, decodeWithThumbnail, squareMask, toSquarePng } from '../images/decode';
export { intake } from '../images/intake';
export { canEdit, needsPngCopy, validateEdit } from '../models/edits';
export { EditRunState } from './edit-run.svelte';
export { squareSource } from './edit-square';
