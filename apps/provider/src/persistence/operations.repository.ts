import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** How many transfers are in each (role, phase, mechanism): the metrics' gauge. */
export interface TransferCount {
  role: string;
  phase: string;
  mechanism: string;
  count: number;
}

/**
 * The read-only questions that probes and scrapes ask the database. Kept apart from
 * TransferRepository (which owns every write) because nothing here belongs to one transfer.
 */
@Injectable()
export class OperationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Resolves when the database answers a query and the gateway's schema is there. */
  async ping(): Promise<void> {
    await this.db.query(`SELECT 1 FROM gateway_transfers LIMIT 1`);
  }

  /** One GROUP BY over every transfer this gateway holds ('preparing' is shown as 'prepared', as status does). */
  async countByRolePhaseMechanism(): Promise<TransferCount[]> {
    const rows: Array<{ role: string; phase: string; mechanism: string; n: number | string }> = await this.db.query(
      `SELECT role, CASE WHEN phase = 'preparing' THEN 'prepared' ELSE phase END AS phase, mechanism, count(*)::int AS n
         FROM gateway_transfers GROUP BY 1, 2, 3`,
    );
    return rows.map((r) => ({ role: r.role, phase: r.phase, mechanism: r.mechanism, count: Number(r.n) }));
  }
}
