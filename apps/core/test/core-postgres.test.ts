import { defineCoreTests } from './support/define-core-tests';

defineCoreTests('postgres');
