import { JwtService } from '@nestjs/jwt';
import { TEST_JWT_SECRET } from './app.js';

const jwt = new JwtService();
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Tokens a client should never get through with. */
export const badTokens = {
  garbage: 'not.a.jwt',
  algNone: (id: number, role = 'merchant') =>
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(id), role, typ: 'access', exp: Math.floor(Date.now() / 1000) + 600 })}.`,
  expired: (id: number, role = 'merchant') =>
    jwt.sign(
      { sub: String(id), role, typ: 'access', exp: Math.floor(Date.now() / 1000) - 10 },
      { secret: TEST_JWT_SECRET },
    ),
  wrongSecret: (id: number, role = 'merchant') =>
    jwt.sign(
      { sub: String(id), role, typ: 'access' },
      { secret: 'another-secret-entirely-0123456789', expiresIn: 600 },
    ),
  /** A validly signed token for any role and id (e.g. an admin). */
  signed: (id: number, role: string) =>
    jwt.sign({ sub: String(id), role, typ: 'access' }, { secret: TEST_JWT_SECRET, expiresIn: 600 }),
};
