import { z } from 'zod';
import { displayName, slug } from '../../admin-input.util';

const gatewayDrive = z.string().min(1).max(200);

export const createDriveSchema = z.object({ id: slug, name: displayName, provider: slug, gatewayDrive }).strict();
export type CreateDriveInput = z.infer<typeof createDriveSchema>;

export const updateDriveSchema = z
  .object({ name: displayName.optional(), provider: slug.optional(), gatewayDrive: gatewayDrive.optional() })
  .strict()
  .refine((d) => d.name !== undefined || d.provider !== undefined || d.gatewayDrive !== undefined, 'give name, provider and/or gatewayDrive');
export type UpdateDriveInput = z.infer<typeof updateDriveSchema>;
