import { Admin } from '../modules/auth/entities/admin.entity.js';
import { RefreshToken } from '../modules/auth/entities/refresh-token.entity.js';
import { Merchant } from '../modules/merchants/entities/merchant.entity.js';
import { User } from '../modules/users/entities/user.entity.js';

/** Every entity, listed explicitly (no globs under ESM). Transactions are addressed with SQL. */
export const ENTITIES = [Merchant, User, Admin, RefreshToken];
