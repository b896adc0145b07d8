import pg from 'pg';

export default async function globalTeardown() {
  // The last project to finish stops the shared server.
  globalThis.__GS_SETUP_USERS__ = (globalThis.__GS_SETUP_USERS__ ?? 1) - 1;
  if (globalThis.__GS_SETUP_USERS__ > 0) return;
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
