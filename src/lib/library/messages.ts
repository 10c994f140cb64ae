/** What the library tells the user when it cannot keep something. */
import { formatBytes } from '../images/format-bytes';
import { LibraryQuotaError } from './storage-guard';

/** IndexedDB cannot be used here. */
export const STORAGE_UNAVAILABLE =
  'This browser does not let Atelier store data here (private browsing, or storage is blocked), so history will not be kept. Generating still works: download the images you want to keep.';

export type SaveFailure = { quota: { message: string; needed: number } } | { problem: string };

export function describeSaveFailure(e: unknown, what: { prompt: string }): SaveFailure {
  const name = what.prompt.length > 40 ? `${what.prompt.slice(0, 40)}…` : what.prompt;
  if (e instanceof LibraryQuotaError) {
    const free = e.available !== null ? ` (${formatBytes(e.available)} free)` : '';
    return {
      quota: {
        needed: e.needed,
        message: `Storage is full, so “${name}” was not saved to the library: it needs ${formatBytes(e.needed)}${free}. Earlier items are safe. Delete items you no longer need, or export a backup and then delete, and download this image now if you want it.`,
      },
    };
  }
  return {
    problem: `“${name}” could not be saved to the library (${(e as Error)?.message ?? e}). Download it if you want to keep it.`,
  };
}
