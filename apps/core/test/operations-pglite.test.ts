import { defineOperationsTests } from './support/define-operations-tests';

defineOperationsTests('pglite');
