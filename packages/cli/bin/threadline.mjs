#!/usr/bin/env node
// The `threadline` command. Sources are TypeScript run through tsx, so no build step stands
// between a checkout and a running shop.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
