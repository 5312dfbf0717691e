#!/usr/bin/env node
// The `retour` command: loads the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
await import('../cli/run-cli.ts');
