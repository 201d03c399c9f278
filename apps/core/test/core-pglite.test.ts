import { defineCoreTests } from './support/define-core-tests';

defineCoreTests('pglite');
