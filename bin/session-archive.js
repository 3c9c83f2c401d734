#!/usr/bin/env node
// The published entry: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs');
require('./session-archive.ts');
