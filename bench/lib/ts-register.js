'use strict';
/**
 * Lets the benchmark (bench/src/*.ts) and the test harness it reuses (test/harness, test/setup)
 * run under plain node: .ts files are transpiled on load (no type check; `npx tsc -p bench`
 * checks types), and @ferry/* names resolve to the workspace sources the way jest.config.js maps
 * them. Processes the benchmark starts (core, gateways) run the compiled dist/ as in production.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..', '..');
const src = (p) => path.join(ROOT, p);
const ALIASES = [
  [/^@ferry\/crypto\/node$/, () => src('libs/crypto/src/node.ts')],
  [/^@ferry\/crypto$/, () => src('libs/crypto/src/index.ts')],
  [/^@ferry\/contracts$/, () => src('libs/contracts/src/index.ts')],
  [/^@ferry\/plugin-sdk\/testing$/, () => src('libs/plugin-sdk/src/testing/index.ts')],
  [/^@ferry\/plugin-sdk$/, () => src('libs/plugin-sdk/src/index.ts')],
  [/^@ferry\/openssh$/, () => src('libs/openssh/src/index.ts')],
  [/^@ferry\/plugin-(sftp|rsync|globus|stream-tunnel)$/, (m) => src(`plugins/${m[1]}/src/index.ts`)],
];

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  sourceMap: false,
  inlineSourceMap: true,
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  for (const [re, to] of ALIASES) {
    const m = re.exec(request);
    if (m) return originalResolve.call(this, to(m), parent, ...rest);
  }
  try {
    return originalResolve.call(this, request, parent, ...rest);
  } catch (e) {
    // relative imports without an extension that name a .ts file
    if (request.startsWith('.') && parent?.filename) {
      const base = path.resolve(path.dirname(parent.filename), request);
      for (const f of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (fs.existsSync(f)) return f;
    }
    throw e;
  }
};

require.extensions['.ts'] = function load(module, filename) {
  const text = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(text, { compilerOptions, fileName: filename, reportDiagnostics: false });
  module._compile(out.outputText, filename);
};
