import type { UsersRepository } from '../../src/modules/users/users.repository.js';
import { fakeRepository } from './fakes.js';

describe('fakeRepository', () => {
  it('answers with the methods it was given', async () => {
    const users = fakeRepository<UsersRepository>({
      taken: async (email) => ({ email: email === 'asha@example.com', phone: false }),
    });
    expect(await users.taken('asha@example.com', '+919876543210')).toEqual({ email: true, phone: false });
    expect(await users.taken('ravi@example.com', '+919876543210')).toEqual({ email: false, phone: false });
  });

  it('throws an error naming any method it was not given, when called', () => {
    const users = fakeRepository<UsersRepository>({}, 'UsersRepository');
    expect(() => users.findByPhone('+919876543210')).toThrow(
      'UsersRepository.findByPhone() is not implemented by this fake',
    );
  });

  it('can be awaited, registered with Nest and compared: probed properties read as absent', async () => {
    const users = fakeRepository<UsersRepository>({}, 'UsersRepository');
    expect(await Promise.resolve(users)).toBe(users);
    expect((users as unknown as { onModuleInit?: unknown }).onModuleInit).toBeUndefined();
    expect(users).toEqual(users);
  });
});
