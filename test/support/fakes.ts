/** The names of `T`'s methods. */
export type MethodsOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

/** Some of `T`'s methods, with their real signatures. */
export type FakeMethods<T> = Partial<Pick<T, MethodsOf<T>>>;

/**
 * Properties that frameworks and matchers probe on any object (promise resolution, Nest lifecycle
 * hooks, Jest's equality and printing). They read as absent on a fake, rather than as a method that
 * throws, so a fake can be awaited, registered as a Nest provider and printed in a failure.
 */
const PROBED = new Set([
  'then',
  'constructor',
  'toJSON',
  'asymmetricMatch',
  'nodeType',
  '$$typeof',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * A typed fake of a repository (or any collaborator) for unit specs, with only the methods a spec
 * gives it:
 *
 *   const users = fakeRepository<UsersRepository>({ findByPhone: async () => null }, 'UsersRepository');
 *
 * Any other method throws an error naming it when called, so a spec never passes on behaviour it did
 * not set up. `label` names the fake in that error.
 */
export function fakeRepository<T extends object>(methods: FakeMethods<T> = {}, label = 'fake'): T {
  const given = methods as Record<PropertyKey, unknown>;
  return new Proxy(given, {
    get(target, prop) {
      if (Object.hasOwn(target, prop)) return target[prop];
      if (typeof prop === 'symbol' || PROBED.has(prop)) return undefined;
      return () => {
        throw new Error(`${label}.${prop}() is not implemented by this fake: give it to fakeRepository().`);
      };
    },
  }) as T;
}
