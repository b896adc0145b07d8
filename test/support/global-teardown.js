import pg from 'pg';

export default async function globalTeardown() {
  const adminUrl = process.env.GS_TEST_ADMIN_URL;
  if (adminUrl && process.env.TEST_DATABASE_URL) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'graminstore_test_%'`,
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__GS_EMBEDDED__?.stop();
}
