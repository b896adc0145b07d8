import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { E164, normalizePhone } from '../src/common/http/phone.js';

/** Rows whose numbers become one number once normalised: left as they were, for a person to merge. */
export interface PhoneCollision {
  table: 'merchants' | 'users';
  phone: string;
  ids: number[];
}

/**
 * Rewrites the stored phone numbers of merchants and users in their E.164 form (the form the API now
 * stores and looks up). Numbers that would become equal are not touched and are returned (and
 * listed in the log): a migration that fails on them would block every deploy.
 */
export async function normaliseStoredPhones(q: QueryRunner): Promise<PhoneCollision[]> {
  const collisions: PhoneCollision[] = [];
  for (const table of ['merchants', 'users'] as const) {
    const rows: { id: number; phone: string }[] = await q.query(`SELECT id, phone FROM ${table} ORDER BY id`);
    const byNumber = new Map<string, { id: number; phone: string }[]>();
    for (const row of rows) {
      const normal = normalizePhone(row.phone);
      const key = typeof normal === 'string' && E164.test(normal) ? normal : row.phone;
      byNumber.set(key, [...(byNumber.get(key) ?? []), row]);
    }
    const changes: [number, string][] = [];
    for (const [phone, group] of byNumber) {
      if (group.length > 1) collisions.push({ table, phone, ids: group.map((r) => r.id) });
      else if (group[0].phone !== phone) changes.push([group[0].id, phone]);
    }
    if (changes.length)
      await q.query(
        `UPDATE ${table} t SET phone = c.phone
           FROM unnest($1::int[], $2::text[]) AS c(id, phone) WHERE t.id = c.id`,
        [changes.map(([id]) => id), changes.map(([, phone]) => phone)],
      );
  }
  return collisions;
}

export class NormalisePhones1796164390187 implements MigrationInterface {
  name = 'NormalisePhones1796164390187';

  async up(q: QueryRunner): Promise<void> {
    const collisions = await normaliseStoredPhones(q);
    if (!collisions.length) return;
    new Logger('Migrations').warn({
      msg:
        'phone numbers that are one number once normalised were left unchanged, for a person to merge: ' +
        collisions.map((c) => `${c.table} ${c.ids.join(', ')} (${c.phone})`).join('; '),
      collisions,
    });
  }

  async down(): Promise<void> {
    // The original spellings are not kept: normalised numbers stay as they are.
  }
}
