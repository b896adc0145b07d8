import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { TransactionsRepository } from './transactions.repository.js';

/** Streams a merchant's statement with COPY TO STDOUT on a dedicated pooled connection. */
@Injectable()
export class TransactionExportRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionsRepository,
  ) {}

  async streamCsv(merchantId: number, from: Date, to: Date): Promise<Readable> {
    // Dates become literals through their own ISO form only; COPY cannot take bind parameters.
    const sql = this.transactions.exportSql(
      merchantId,
      pg.escapeLiteral(from.toISOString()),
      pg.escapeLiteral(to.toISOString()),
    );
    const pool = (this.dataSource.driver as unknown as { master: pg.Pool }).master;
    const client = await pool.connect();
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      // A connection interrupted mid-COPY is not reusable.
      client.release(err ?? undefined);
    };
    try {
      // A year's statement may take longer than the default statement timeout.
      await client.query('SET statement_timeout = 0');
      const stream = client.query(copyTo(sql));
      let ended = false;
      stream.once('end', () => {
        ended = true;
        client.query('RESET statement_timeout').then(
          () => release(),
          (err: Error) => release(err),
        );
      });
      stream.once('error', (err: Error) => release(err));
      stream.once('close', () => {
        if (!ended) release(new Error('export stream closed early'));
      });
      return stream;
    } catch (err) {
      release(err as Error);
      throw err;
    }
  }
}
