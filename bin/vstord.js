#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: vstor ships no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../daemon/vstord.ts');
await main();
