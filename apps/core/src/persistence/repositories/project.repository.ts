import { Injectable } from '@nestjs/common';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { ProjectEntity } from '../entities';

export type ProjectWithMembers = ProjectEntity & { members: string[] };

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

  /** Seed: adds a member (no-op when already one). */
  async addMember(projectId: string, userId: string, audit?: AuditEntry): Promise<boolean> {
    const q = withAudit(
      `INSERT INTO project_members (project_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`,
      [projectId, userId],
      audit,
    );
    return (await this.db.rows(q.sql, q.params)).length > 0;
  }

  // ---- admin API ----

  async list(): Promise<ProjectWithMembers[]> {
    const rows = await this.db.rows(
      `SELECT p.*, COALESCE(array_agg(u.name ORDER BY u.name) FILTER (WHERE u.name IS NOT NULL), '{}') AS members
         FROM projects p LEFT JOIN project_members m ON m.project_id = p.id LEFT JOIN users u ON u.id = m.user_id
        GROUP BY p.id ORDER BY p.name`,
    );
    return rows.map((r) => Object.assign(this.db.toEntity(ProjectEntity, r), { members: r.members as string[] }));
  }

  /** A new project, or null when the name is taken. */
  create(name: string, audit?: AuditEntry): Promise<ProjectEntity | null> {
    const q = withAudit(`INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING *`, [name], audit);
    return this.db.entity(ProjectEntity, q.sql, q.params);
  }

  /** false when the user was not a member. */
  async removeMember(projectId: string, userId: string, audit?: AuditEntry): Promise<boolean> {
    const q = withAudit(`DELETE FROM project_members WHERE project_id = $1 AND user_id = $2 RETURNING user_id`, [projectId, userId], audit);
    return (await this.db.rows(q.sql, q.params)).length > 0;
  }
}
