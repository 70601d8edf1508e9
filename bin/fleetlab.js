#!/usr/bin/env node
// fleetlab is written in TypeScript and runs through tsx's loader, so there is no build step
// between editing a policy and running it.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
