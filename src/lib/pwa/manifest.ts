/**
 * The web app manifest, as data: vite.config.ts hands it to vite-plugin-pwa, and the unit tests check what an
 * installed Atelier promises (icons, file handlers) without building.
 */

/** The image types Atelier opens when the operating system hands it a file (file_handlers + launchQueue). */
export const OPENABLE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/webp': ['.webp'],
};

export const WEB_APP_MANIFEST = {
  id: '/',
  name: 'Atelier — image studio',
  short_name: 'Atelier',
  description: 'Generate and edit images with your own OpenAI API key, entirely in your browser.',
  start_url: '/',
  scope: '/',
  display: 'standalone' as const,
  background_color: '#1d1b26',
  theme_color: '#1d1b26',
  icons: [
    { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
    { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
  // Opening a PNG, JPEG or WebP "with Atelier" lands it in the editor's source images (src/lib/pwa/launch.ts).
  file_handlers: [
    {
      action: '/',
      accept: Object.fromEntries(Object.entries(OPENABLE_TYPES).map(([type, exts]) => [type, [...exts]])),
    },
  ],
  // In the system's Share sheet for images: the service worker keeps what is shared (public/share-target.js)
  // and the app puts it in the editor's source images (src/lib/pwa/share.ts); shared text goes to the prompt.
  share_target: {
    action: '/share-target',
    method: 'POST' as const,
    enctype: 'multipart/form-data' as const,
    params: {
      title: 'title',
      text: 'text',
      url: 'url',
      files: [
        {
          name: 'images',
          accept: [...Object.keys(OPENABLE_TYPES), ...Object.values(OPENABLE_TYPES).flat()],
        },
      ],
    },
  },
  launch_handler: { client_mode: 'focus-existing' as const },
};
