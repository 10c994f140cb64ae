// Renders the app icons (manifest, Apple touch icon) from public/favicon.svg. Run after changing the logo:
//   node scripts/icons.mjs
// The PNGs are committed, so building the app does not depend on sharp.
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';

const svg = await readFile(new URL('../public/favicon.svg', import.meta.url));
const out = (name) => new URL(`../public/icons/${name}`, import.meta.url).pathname;

// "any" icons: the logo as drawn, rounded corners and all.
for (const size of [192, 512]) {
  await sharp(svg, { density: (72 * size) / 64 })
    .resize(size, size)
    .png()
    .toFile(out(`icon-${size}.png`));
}

// Maskable: the platform crops to its own shape, so the logo sits inside the central 80% safe zone on a
// full-bleed background of the same colour.
const BG = { r: 0x1d, g: 0x1b, b: 0x26, alpha: 1 };
for (const [size, name] of [
  [512, 'maskable-512.png'],
  [192, 'maskable-192.png'],
  [180, 'apple-touch-icon.png'],
]) {
  const inner = Math.round(size * 0.72);
  const logo = await sharp(svg, { density: (72 * inner) / 64 })
    .resize(inner, inner)
    .png()
    .toBuffer();
  await sharp({ create: { width: size, height: size, channels: 4, background: BG } })
    .composite([{ input: logo, gravity: 'center' }])
    .png()
    .toFile(out(name));
}
console.log('icons written to public/icons/');
