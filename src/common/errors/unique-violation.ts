/** Runs `write`; a unique violation on one of `constraints` becomes the matching domain error. */
export async function mapUniqueViolation<T>(
  write: () => Promise<T>,
  constraints: Record<string, () => Error>,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const e = err as {
      code?: string;
      constraint?: string;
      driverError?: { code?: string; constraint?: string };
    };
    const code = e.code ?? e.driverError?.code;
    const constraint = e.constraint ?? e.driverError?.constraint;
    const mapped = code === '23505' && constraint ? constraints[constraint] : undefined;
    throw mapped ? mapped() : err;
  }
}
