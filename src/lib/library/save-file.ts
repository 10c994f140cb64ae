/**
 * Browser-only: where an export's bytes go. With the File System Access API the user picks a file and chunks
 * are written straight to it; elsewhere chunks are kept as parts of one Blob (Chromium backs large Blobs by
 * disk) and offered as a download.
 */
export interface ExportSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

interface SavePicker {
  showSaveFilePicker?: (opts: {
    suggestedName: string;
    types: { description: string; accept: Record<string, string[]> }[];
  }) => Promise<{ createWritable(): Promise<WritableStreamDefaultWriter & WritableStream> }>;
}

/** Asks where to save (must run within the click); null when the user cancelled the picker. */
export async function chooseExportSink(name: string): Promise<ExportSink | null> {
  const picker = (window as unknown as SavePicker).showSaveFilePicker;
  if (picker) {
    let handle;
    try {
      handle = await picker.call(window, {
        suggestedName: name,
        types: [{ description: 'Zip archive', accept: { 'application/zip': ['.zip'] } }],
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return null;
      throw e;
    }
    const stream = (await handle.createWritable()) as unknown as WritableStream<Uint8Array>;
    const writer = stream.getWriter();
    return {
      write: (c) => writer.write(c),
      close: () => writer.close(),
      abort: () => writer.abort(),
    };
  }
  const parts: BlobPart[] = [];
  return {
    write: async (c) => void parts.push(c as Uint8Array<ArrayBuffer>),
    close: async () => downloadBlob(new Blob(parts, { type: 'application/zip' }), name),
    abort: async () => void (parts.length = 0),
  };
}

/** Offers a Blob as a download. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
