import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';
import { ProjectEntity } from '../entities';

@Injectable()
export class ProjectRepository {
  constructor(private readonly db: Database) {}

  async upsert(name: string): Promise<ProjectEntity> {
    // DO UPDATE (a no-op) rather than DO NOTHING so that RETURNING gives the existing row too
    const p = await this.db.entity(
      ProjectEntity,
      `INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING *`,
      [name],
    );
    return p!;
  }

  findByName(name: string): Promise<ProjectEntity | null> {
    return this.db.entity(ProjectEntity, `SELECT * FROM projects WHERE name = $1`, [name]);
  }

  async addMember(projectId: string, userId: string): Promise<void> {
    await this.db.rows(`INSERT INTO project_members (project_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      projectId,
      userId,
    ]);
  }
}
