import { Inject, Injectable, Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { hashToken } from '../auth/token.guard';
import { ConfigError, CORE_CONFIG, CoreConfig } from '../config/core-config';
import {
  DriveRepository,
  IdentityMappingRepository,
  ProjectRepository,
  ProviderRepository,
  UserRepository,
} from '../persistence/repositories';
import { SeedFile, seedFileSchema } from './seed-file.schema';

/**
 * Applies FERRY_SEED_FILE at start: upserts only, so applying it again changes nothing and data
 * added otherwise is kept (a permission removed from the file is not revoked). Tokens are stored
 * hashed. A bad file stops the start with the offending entry named.
 */
@Injectable()
export class SeedService {
  private readonly logger = new Logger(SeedService.name);

  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly users: UserRepository,
    private readonly projects: ProjectRepository,
    private readonly providers: ProviderRepository,
    private readonly drives: DriveRepository,
    private readonly identities: IdentityMappingRepository,
  ) {}

  async applyConfigured(): Promise<void> {
    if (!this.config.seedFile) return;
    await this.apply(await readSeedFile(this.config.seedFile));
    this.logger.log(`seed applied from ${this.config.seedFile}`);
  }

  async apply(seed: SeedFile): Promise<void> {
    const userIds = new Map<string, string>();
    for (const u of seed.users) {
      const user = await this.users.upsert(u.name, u.admin);
      userIds.set(u.name, user.id);
      for (const token of u.tokens) await this.users.addToken(user.id, hashToken(token), 'seed');
    }
    const userId = async (name: string, where: string) => {
      const id = userIds.get(name) ?? (await this.users.findByName(name))?.id;
      if (!id) throw new ConfigError(`seed: ${where} names unknown user ${name}`);
      return id;
    };
    const projectIds = new Map<string, string>();
    for (const p of seed.projects) {
      const project = await this.projects.upsert(p.name);
      projectIds.set(p.name, project.id);
      for (const m of p.members) await this.projects.addMember(project.id, await userId(m, `project ${p.name}`));
    }
    for (const p of seed.providers) await this.providers.upsert(p);
    for (const d of seed.drives) {
      if (!(await this.providers.find(d.provider))) throw new ConfigError(`seed: drive ${d.id} names unknown provider ${d.provider}`);
      await this.drives.upsert({ id: d.id, name: d.name, providerId: d.provider, gatewayDrive: d.gatewayDrive });
      for (const a of d.acl) {
        const principal = a.user
          ? { userId: await userId(a.user, `drive ${d.id}`) }
          : { projectId: projectIds.get(a.project!) ?? (await this.projects.findByName(a.project!))?.id ?? missingProject(d.id, a.project!) };
        for (const perm of a.permissions) await this.drives.grant(d.id, principal, perm);
      }
    }
    for (const m of seed.identityMappings) {
      if (!(await this.providers.find(m.provider))) throw new ConfigError(`seed: identity mapping of ${m.user} names unknown provider ${m.provider}`);
      await this.identities.upsert(await userId(m.user, 'identity mapping'), m.provider, m.identity);
    }
  }
}

function missingProject(driveId: string, project: string): never {
  throw new ConfigError(`seed: drive ${driveId} names unknown project ${project}`);
}

export async function readSeedFile(file: string): Promise<SeedFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`seed file ${file} cannot be read as JSON: ${(e as Error).message}`);
  }
  const r = seedFileSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`seed file ${file} is invalid:\n${lines.join('\n')}`);
  }
  return r.data;
}
