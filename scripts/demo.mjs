#!/usr/bin/env node
// `npm run demo`: try Atelier without an API key. Starts the project's mock OpenAI server on 127.0.0.1, builds the
// app pointed at it, and serves it. Nothing leaves this machine.
import { spawn, spawnSync } from 'node:child_process';
import { startMockServer } from '../tests/mock-openai/server.mjs';

const MOCK_PORT = Number(process.env.MOCK_OPENAI_PORT ?? 8787);
const APP_PORT = Number(process.env.DEMO_PORT ?? 4180);

const mock = await startMockServer({ port: MOCK_PORT });
console.log(`Mock OpenAI server: ${mock.url}`);

const env = { ...process.env, VITE_ATELIER_DEMO_URL: mock.url };
const build = spawnSync(
  'npx',
  ['vite', 'build', '--outDir', 'dist-demo', '--emptyOutDir', '--logLevel', 'warn'],
  {
    stdio: 'inherit',
    env,
  },
);
if (build.status !== 0) {
  await mock.close();
  process.exit(build.status ?? 1);
}

const preview = spawn(
  'npx',
  ['vite', 'preview', '--outDir', 'dist-demo', '--port', String(APP_PORT), '--strictPort'],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  },
);
console.log(`\nAtelier demo: open http://127.0.0.1:${APP_PORT}/ (a demo key is filled in; press Generate).`);
console.log('Add [[mock:429-rate]], [[mock:moderation]], [[mock:cut]] … to a prompt to see how errors look.');

const stop = async () => {
  preview.kill();
  await mock.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
preview.on('exit', (code) => {
  void mock.close().then(() => process.exit(code ?? 0));
});
