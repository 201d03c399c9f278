import { z } from 'zod';
import { principalName } from '../../admin-input.util';

export const createProjectSchema = z.object({ name: principalName }).strict();
