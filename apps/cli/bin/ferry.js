#!/usr/bin/env node
// Committed, executable shim so `npx ferry` works even though tsc writes dist/ without the x bit.
require('../dist/main.js');
