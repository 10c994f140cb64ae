/** Copying an image to the clipboard. Browsers accept image/png there, so other formats are converted first. */

async function toPng(blob: Blob): Promise<Blob> {
  if (blob.type === 'image/png') return blob;
  const bitmap = await createImageBitmap(blob);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}

export async function copyImage(blob: Blob): Promise<void> {
  if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined')
    throw new Error('This browser cannot copy images to the clipboard; use Download instead.');
  // Passing a promise keeps the user gesture alive in Safari while the conversion runs.
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': toPng(blob) })]);
}
