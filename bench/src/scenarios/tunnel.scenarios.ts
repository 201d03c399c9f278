import type { Scenario } from '../scenario';

export const tunnelScenarios: Scenario[] = [];
