import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';

type EntityClass<T> = new () => T;

/**
 * The one SQL entry point for repositories: parameterized statements with results as rows, or as
 * entities mapped through the entity metadata (so column transformers, e.g. bigint, apply to
 * RETURNING rows too). Uses the structured result because pg and PGlite report UPDATE results
 * differently in TypeORM's plain query().
 */
@Injectable()
export class Database {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async rows<R extends ObjectLiteral = ObjectLiteral>(sql: string, params: unknown[] = []): Promise<R[]> {
    const qr = this.ds.createQueryRunner();
    try {
      const result = await qr.query(sql, params.map(toSqlParam), true);
      return (result.records ?? []) as R[];
    } finally {
      await qr.release();
    }
  }

  async entities<T extends ObjectLiteral>(target: EntityClass<T>, sql: string, params: unknown[] = []): Promise<T[]> {
    const meta = this.ds.getMetadata(target);
    return (await this.rows(sql, params)).map((r) => mapRow(meta, target, r));
  }

  async entity<T extends ObjectLiteral>(target: EntityClass<T>, sql: string, params: unknown[] = []): Promise<T | null> {
    return (await this.entities(target, sql, params))[0] ?? null;
  }

  /** A raw row (e.g. one with extra computed columns) as an entity. */
  toEntity<T extends ObjectLiteral>(target: EntityClass<T>, row: ObjectLiteral): T {
    return mapRow(this.ds.getMetadata(target), target, row);
  }

  /** Column name and SQL-ready value of each property in `patch` (transformers applied, jsonb as JSON text). */
  columnsOf<T extends ObjectLiteral>(target: EntityClass<T>, patch: Partial<T>): Array<{ column: string; value: unknown }> {
    const meta = this.ds.getMetadata(target);
    return Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([prop, v]) => {
        const col = meta.findColumnWithPropertyName(prop);
        if (!col) throw new Error(`${meta.tableName} has no column for property ${prop}`);
        let value: unknown = v;
        if (col.transformer && !Array.isArray(col.transformer)) value = col.transformer.to(value);
        if ((col.type === 'jsonb' || col.type === 'json') && value !== null) value = JSON.stringify(value);
        return { column: col.databaseName, value };
      });
  }
}

/**
 * Dates go to the database as ISO text: both drivers accept it, and PGlite's own Date check fails
 * for a Date made in another JS realm (jest runs tests in a vm context).
 */
function toSqlParam(v: unknown): unknown {
  return Object.prototype.toString.call(v) === '[object Date]' ? (v as Date).toISOString() : v;
}

function mapRow<T extends ObjectLiteral>(meta: EntityMetadata, target: EntityClass<T>, row: ObjectLiteral): T {
  const e = new target() as Record<string, unknown>;
  for (const col of meta.columns) {
    if (!(col.databaseName in row)) continue;
    let v = row[col.databaseName];
    if (col.transformer && !Array.isArray(col.transformer)) v = col.transformer.from(v);
    e[col.propertyName] = v;
  }
  return e as T;
}
