import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A fresh random signing secret (never a constant shipped in the repository). */
export function randomSecret(): string {
  return randomBytes(48).toString('base64url');
}

/**
 * The development signing secret, generated at the first start and kept beside the embedded
 * database's directory (`<EMBEDDED_PG_DIR>/../jwt-secret`, mode 0600), so tokens survive a restart
 * as the data does. Production never uses it: there JWT_SECRET is required.
 */
export function persistentDevSecret(embeddedPgDir: string): string {
  const file = join(dirname(embeddedPgDir), 'jwt-secret');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
