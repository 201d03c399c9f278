import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core's schema, written by hand (no synchronize): the same statements run on PGlite and on a
 * PostgreSQL server. Timestamps have millisecond precision so a JS Date round-trips exactly, which
 * keyset paging over (created_at, id) relies on.
 */
export class InitialSchema1767000000000 implements MigrationInterface {
  name = 'InitialSchema1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        admin boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_tokens (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        revoked boolean NOT NULL DEFAULT false,
        label text,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE project_members (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (project_id, user_id)
      )`);
    await q.query(`CREATE INDEX project_members_user_idx ON project_members (user_id)`);
    await q.query(`
      CREATE TABLE providers (
        id text PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        sign_public_key text,
        box_public_key text,
        keys_pinned boolean NOT NULL DEFAULT false,
        mechanisms text[] NOT NULL DEFAULT '{}',
        fetched_at timestamptz(3)
      )`);
    await q.query(`
      CREATE TABLE drives (
        id text PRIMARY KEY,
        name text NOT NULL,
        provider_id text NOT NULL REFERENCES providers(id),
        gateway_drive text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE drive_acl (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        drive_id text NOT NULL REFERENCES drives(id) ON DELETE CASCADE,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
        permission text NOT NULL CHECK (permission IN ('READ', 'WRITE', 'ADMIN')),
        CHECK ((user_id IS NULL) <> (project_id IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX drive_acl_entry_idx ON drive_acl (drive_id, permission, (COALESCE(user_id, project_id)))`,
    );
    await q.query(`
      CREATE TABLE identity_mappings (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider_id text NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
        identity text NOT NULL,
        PRIMARY KEY (user_id, provider_id)
      )`);
    await q.query(`
      CREATE TABLE transfers (
        id uuid PRIMARY KEY,
        owner_id uuid NOT NULL REFERENCES users(id),
        source_drive_id text NOT NULL,
        source_path text NOT NULL,
        source_provider_id text NOT NULL,
        destination_drive_id text NOT NULL,
        destination_path text NOT NULL,
        destination_provider_id text NOT NULL,
        options jsonb NOT NULL,
        user_public_key text NOT NULL,
        mechanism text,
        offers jsonb NOT NULL DEFAULT '[]',
        trigger_deadline timestamptz(3) NOT NULL,
        rejection jsonb,
        triggered_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY REFERENCES transfers(id) ON DELETE CASCADE,
        kind text NOT NULL,
        owner_id uuid NOT NULL REFERENCES users(id),
        state text NOT NULL,
        label text,
        mechanism text,
        source_provider_id text NOT NULL,
        destination_provider_id text NOT NULL,
        source_label text NOT NULL,
        destination_label text NOT NULL,
        bytes_done bigint NOT NULL DEFAULT 0,
        bytes_total bigint,
        files_done bigint NOT NULL DEFAULT 0,
        files_total bigint,
        rate double precision,
        eta double precision,
        message text,
        last_seq_source bigint NOT NULL DEFAULT 0,
        last_seq_destination bigint NOT NULL DEFAULT 0,
        operations text[] NOT NULL DEFAULT '{}',
        error jsonb,
        tunnel jsonb,
        manifest jsonb,
        lease_owner text,
        lease_until timestamptz(3),
        finalize_attempts integer NOT NULL DEFAULT 0,
        cleanup_outcome text,
        cleanup_roles text[] NOT NULL DEFAULT '{}',
        cleanup_attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        finished_at timestamptz(3)
      )`);
    // keyset paging of one user's tasks, newest first
    await q.query(`CREATE INDEX tasks_owner_created_idx ON tasks (owner_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_state_idx ON tasks (state)`);
    // the sweeper's work queue stays small: only tasks with gateways still to be told
    await q.query(`CREATE INDEX tasks_cleanup_idx ON tasks (lease_until) WHERE cleanup_outcome IS NOT NULL`);
    await q.query(`
      CREATE TABLE used_nonces (
        key_id text NOT NULL,
        nonce text NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        PRIMARY KEY (key_id, nonce)
      )`);
    await q.query(`CREATE INDEX used_nonces_expires_idx ON used_nonces (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'used_nonces',
      'tasks',
      'transfers',
      'identity_mappings',
      'drive_acl',
      'drives',
      'providers',
      'project_members',
      'projects',
      'api_tokens',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
