#!/usr/bin/env node
// `npm run bench`: prints Atelier's speed and size figures (budgets in brackets). Not a test: it measures.
// Builds the app, serves it with `vite preview`, and runs each section in scripts/bench/ against it in headless
// Chromium. A section exports `title` and `run({ browser, appUrl })`, which returns the lines to print.
// `npm run bench -- stream` runs only the sections whose file name contains "stream".
import { spawn, spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 4290);

// Add a section: write scripts/bench/<name>.mjs and list it here.
const SECTIONS = ['initial-load', 'stream-paint', 'library', 'mask'];

async function main() {
  const only = process.argv.slice(2);
  const chosen = SECTIONS.filter((s) => !only.length || only.some((o) => s.includes(o)));
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  const appUrl = `http://127.0.0.1:${APP_PORT}/`;
  const answering = await fetch(appUrl).catch(() => null);
  if (answering) {
    console.error(
      `Port ${APP_PORT} already serves something: stop it or set BENCH_APP_PORT, or the bench measures it.`,
    );
    process.exit(1);
  }
  // Its own process group, so that the end of the bench stops vite too, not only the npx wrapper (an orphaned
  // preview would keep the port and serve the next run, possibly another worktree's build).
  const preview = spawn('npx', ['vite', 'preview', '--port', String(APP_PORT), '--strictPort'], {
    stdio: 'ignore',
    detached: true,
  });
  let exited = false;
  preview.on('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      if ((await fetch(appUrl)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (exited) throw new Error(`vite preview did not start: is port ${APP_PORT} taken (BENCH_APP_PORT)?`);
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    console.log('\nAtelier benchmark (headless Chromium, this machine)');
    for (const name of chosen) {
      const section = await import(`./bench/${name}.mjs`);
      const lines = await section.run({ browser, appUrl });
      console.log(`\n  ${section.title}`);
      for (const line of lines) console.log(`    ${line}`);
    }
  } finally {
    await browser.close();
    process.kill(-preview.pid);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
