#!/usr/bin/env node
// Runs a TypeScript entry file through tsx's loader, so the project needs no build step.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [entry] = process.argv.splice(2, 1);
if (!entry) {
  console.error('usage: run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
await import(pathToFileURL(resolve(entry)).href);
