import { DataSource } from 'typeorm';
import { normaliseStoredPhones } from '../../migrations/1796164390187-NormalisePhones.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { merchantBody, registerMerchant, registerUser, uniquePhone, userBody } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';

/** Three spellings of one Indian mobile number, from its E.164 form `+91XXXXXXXXXX`. */
function spellings(e164: string): { international: string; national: string; dashed: string } {
  const n = e164.slice(3);
  return {
    international: `0091${n}`,
    national: `0${n.slice(0, 5)} ${n.slice(5)}`,
    dashed: `+91 ${n.slice(0, 5)}-${n.slice(5)}`,
  };
}

describe('phone numbers are one number however they are written', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores E.164, refuses a duplicate written differently and finds it by any spelling', async () => {
    const phone = uniquePhone();
    const s = spellings(phone);
    const user = await registerUser(t, { phone: s.dashed });
    const { rows } = await t.db.query('SELECT phone FROM users WHERE id = $1', [user.id]);
    expect(rows[0].phone).toBe(phone);

    const again = await t.http.post('/api/v2/auth/register/user').send(userBody({ phone: s.international }));
    expectProblem(again, 409);

    const merchant = await registerMerchant(t, { phone: s.national });
    const copy = await t.http.post('/api/v2/auth/register/merchant').send(merchantBody({ phone: s.dashed }));
    expectProblem(copy, 409);

    for (const spelling of Object.values(s)) {
      const res = await t.http.get('/api/v2/users/lookup').query({ phone: spelling }).set(merchant.auth);
      expect({ spelling, status: res.status, id: res.body.id }).toEqual({
        spelling,
        status: 200,
        id: user.id,
      });
    }
  });

  it('the migration normalises stored numbers and reports collisions instead of failing', async () => {
    const [single, shared, shop] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const insertUser = async (phone: string) =>
      (
        await t.db.query<{ id: number }>(
          `INSERT INTO users (name, email, phone, password_hash) VALUES ('Old', $1, $2, 'x') RETURNING id`,
          [`old.${Math.random()}@example.com`, phone],
        )
      ).rows[0].id;
    const alone = await insertUser(spellings(single).national);
    const first = await insertUser(spellings(shared).international);
    const second = await insertUser(spellings(shared).dashed);
    const merchant = await registerMerchant(t);
    await t.db.query('UPDATE merchants SET phone = $1 WHERE id = $2', [spellings(shop).dashed, merchant.id]);

    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await runner.startTransaction();
      const collisions = await normaliseStoredPhones(runner);
      await runner.commitTransaction();
      expect(collisions).toEqual([{ table: 'users', phone: shared, ids: [first, second] }]);
    } finally {
      await runner.release();
    }

    const phoneOf = async (table: string, id: number) =>
      (await t.db.query(`SELECT phone FROM ${table} WHERE id = $1`, [id])).rows[0].phone;
    expect(await phoneOf('users', alone)).toBe(single);
    expect(await phoneOf('merchants', merchant.id)).toBe(shop);
    // Left for a person to merge, as they were.
    expect(await phoneOf('users', first)).toBe(spellings(shared).international);
    expect(await phoneOf('users', second)).toBe(spellings(shared).dashed);
  });
});
