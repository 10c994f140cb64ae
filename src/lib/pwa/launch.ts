/**
 * Files the operating system hands an installed Atelier ("Open with… Atelier"): the manifest's file_handlers
 * route them to the start URL and the File Handling API delivers them through window.launchQueue.
 */
/** The part of the File Handling API Atelier uses (not in TypeScript's DOM library yet). */
export interface LaunchParamsLike {
  readonly files?: readonly { getFile(): Promise<File> }[];
}
export interface LaunchQueueLike {
  setConsumer(consumer: (params: LaunchParamsLike) => void): void;
}

/**
 * Starts consuming launches; `open` receives every file of each launch (the editor's intake refuses what is not
 * an image, naming the file). Returns false where the browser has no launch queue (not installed, or no support).
 */
export function consumeLaunchedFiles(
  queue: LaunchQueueLike | undefined,
  open: (files: File[]) => void | Promise<void>,
): boolean {
  if (!queue) return false;
  queue.setConsumer((params) => {
    const handles = params.files ?? [];
    if (!handles.length) return;
    void Promise.all(handles.map((h) => h.getFile())).then((files) => open(files));
  });
  return true;
}
