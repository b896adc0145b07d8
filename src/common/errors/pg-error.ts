/** What PostgreSQL said about a failed statement, whether `pg` threw it or TypeORM wrapped it. */
interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
}

export function pgErrorFields(err: unknown): PgErrorFields {
  const e = (err ?? {}) as PgErrorFields & { driverError?: PgErrorFields };
  return {
    code: e.code ?? e.driverError?.code,
    constraint: e.constraint ?? e.driverError?.constraint,
    detail: e.detail ?? e.driverError?.detail,
  };
}

/** The constraint a unique violation (23505) broke, or undefined for any other error. */
export function violatedUniqueConstraint(err: unknown): string | undefined {
  const { code, constraint } = pgErrorFields(err);
  return code === '23505' ? constraint : undefined;
}

/** Runs `write`; a unique violation on one of `constraints` becomes the matching domain error. */
export async function mapUniqueViolation<T>(
  write: () => Promise<T>,
  constraints: Record<string, () => Error>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const constraint = violatedUniqueConstraint(err);
    const mapped = constraint ? constraints[constraint] : undefined;
    throw mapped ? mapped() : err;
  }
}
