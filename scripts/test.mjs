#!/usr/bin/env node
// `npm test`: type check, lint and format check, unit tests, browser tests. Every step runs and reports even when
// an earlier one failed; the exit code is non-zero when any failed. Ends with one line counting the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-test-'));
const vitestJson = join(tmp, 'vitest.json');
const playwrightJson = join(tmp, 'playwright.json');

const steps = [
  {
    name: 'types',
    cmd: 'npx',
    args: ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings'],
  },
  { name: 'lint', cmd: 'npx', args: ['eslint', '.'] },
  { name: 'format', cmd: 'npx', args: ['prettier', '--check', '.'] },
  {
    name: 'unit',
    cmd: 'npx',
    args: ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  },
  { name: 'e2e', cmd: 'npx', args: ['playwright', 'test'], env: { PW_JSON_OUTPUT: playwrightJson } },
];

const only = process.argv.slice(2);
const results = [];
for (const step of steps) {
  if (only.length && !only.includes(step.name)) continue;
  console.log(`\n▶ ${step.name}: ${step.cmd} ${step.args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(step.cmd, step.args, { stdio: 'inherit', env: { ...process.env, ...step.env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name: step.name, ok: r.status === 0, seconds });
  console.log(`${r.status === 0 ? '✔' : '✘'} ${step.name} (${seconds} s)`);
}

function vitestCounts() {
  if (!existsSync(vitestJson)) return null;
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  return { passed: j.numPassedTests ?? 0, failed: (j.numFailedTests ?? 0) + (j.numTodoTests ?? 0) };
}

function playwrightCounts() {
  if (!existsSync(playwrightJson)) return null;
  const s = JSON.parse(readFileSync(playwrightJson, 'utf8')).stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: (s.unexpected ?? 0) + (s.skipped ?? 0) };
}

console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.name.padEnd(7)} ${r.seconds} s`);
const counts = [vitestCounts(), playwrightCounts()].filter(Boolean);
const passed = counts.reduce((a, c) => a + c.passed, 0);
const stepFailures = results.filter((r) => !r.ok).length;
const failed = counts.reduce((a, c) => a + c.failed, 0);
console.log(`tests: ${passed} passed, ${failed + (failed === 0 ? stepFailures : 0)} failed`);
process.exit(stepFailures ? 1 : 0);
