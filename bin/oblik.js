#!/usr/bin/env node
// The `oblik` command. Runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('oblik: dist/ is missing; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
await import(cli.href);
