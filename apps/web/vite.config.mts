import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The shared libraries are bundled from their TypeScript sources, so the web build never depends on
// whether `tsc -b` ran first, and the browser runs the very same envelope code as the CLI.
// '@ferry/crypto/node' is deliberately NOT aliased: importing it here must fail the build.
const lib = (p: string) => fileURLToPath(new URL(`../../libs/${p}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  resolve: {
    alias: [
      { find: /^@ferry\/crypto$/, replacement: lib('crypto/src/index.ts') },
      { find: /^@ferry\/contracts$/, replacement: lib('contracts/src/index.ts') },
      // the researcher-side negotiation module lives with the CLI; the browser runs the same code
      { find: /^@ferry\/negotiation$/, replacement: fileURLToPath(new URL('../cli/src/negotiation/index.ts', import.meta.url)) },
    ],
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
