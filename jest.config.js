// One jest run for the whole repository: unit specs beside the code (*.spec.ts) and the
// real-parts suites under test/ (*.test.ts). Workspace packages resolve to their sources so that
// tests never run stale builds; processes that tests spawn run the compiled dist/ from `npm run build`.
const path = require('node:path');
const src = (p) => path.join(__dirname, p);

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/plugins', '<rootDir>/apps', '<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.spec.ts', '**/test/**/*.test.ts', '**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/apps/web/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: src('tsconfig.jest.json'), diagnostics: false }],
  },
  moduleNameMapper: {
    '^@ferry/crypto/node$': src('libs/crypto/src/node.ts'),
    '^@ferry/crypto$': src('libs/crypto/src/index.ts'),
    '^@ferry/contracts$': src('libs/contracts/src/index.ts'),
    '^@ferry/plugin-sdk/testing$': src('libs/plugin-sdk/src/testing/index.ts'),
    '^@ferry/plugin-sdk$': src('libs/plugin-sdk/src/index.ts'),
    '^@ferry/pglite$': src('libs/pglite/src/index.ts'),
    '^@ferry/openssh$': src('libs/openssh/src/index.ts'),
    '^@ferry/ops$': src('libs/ops/src/index.ts'),
    '^@ferry/plugin-(sftp|rsync|globus|stream-tunnel)$': src('plugins/$1/src/index.ts'),
  },
  globalSetup: src('test/setup/global-setup.ts'),
  globalTeardown: src('test/setup/global-teardown.ts'),
  testTimeout: 120000,
  verbose: false,
};
