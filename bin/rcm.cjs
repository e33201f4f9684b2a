#!/usr/bin/env node
// `rcm` command: runs the TypeScript CLI through tsx's require hook (no build step).
require('tsx/cjs');
require('../cli/rcm.ts');
