import { Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { AppConfig } from '../../config/app-config.js';

/** bcrypt hashing; `compareOrBurn` spends the same time when there is no account, so timing tells nothing. */
@Injectable()
export class PasswordService {
  private readonly dummyHash: string;

  constructor(private readonly config: AppConfig) {
    this.dummyHash = bcrypt.hashSync('not-a-real-password', config.bcryptRounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptRounds);
  }

  async compareOrBurn(password: string, hash: string | undefined): Promise<boolean> {
    const ok = await bcrypt.compare(password, hash ?? this.dummyHash);
    return ok && hash !== undefined;
  }
}
