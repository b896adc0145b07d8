import { ConfigValidationError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives development defaults with no environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8001,
      databaseUrl: undefined,
      accessTokenTtlSeconds: 1800,
      refreshTokenTtlDays: 30,
      adminEmail: 'admin@graminstore.com',
      corsOrigins: true,
      seedOnFirstStart: true,
    });
  });

  it('accepts SECRET_KEY as an alias of JWT_SECRET, and JWT_SECRET wins', () => {
    expect(loadConfig({ SECRET_KEY: 'alias-secret-123' }).jwtSecret).toBe('alias-secret-123');
    expect(loadConfig({ SECRET_KEY: 'alias-secret-123', JWT_SECRET: 'primary-secret' }).jwtSecret).toBe(
      'primary-secret',
    );
  });

  it('parses numbers and lists', () => {
    const config = loadConfig({
      PORT: '9000',
      ACCESS_TOKEN_EXPIRE_MINUTES: '5',
      CORS_ORIGINS: 'https://a.in, https://b.in',
    });
    expect(config.port).toBe(9000);
    expect(config.accessTokenTtlSeconds).toBe(300);
    expect(config.corsOrigins).toEqual(['https://a.in', 'https://b.in']);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET/],
  ])('rejects %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  describe('in production', () => {
    const strong = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      ADMIN_PASSWORD: 'a-strong-admin-pass',
    };

    it('starts with a strong secret and admin password', () => {
      expect(loadConfig(strong).isProduction).toBe(true);
    });

    it.each([
      [{ JWT_SECRET: undefined }, /JWT_SECRET \(or SECRET_KEY\) is not set/],
      [{ JWT_SECRET: 'your-super-secret-key-change-in-production' }, /JWT_SECRET is a default/],
      [{ ADMIN_PASSWORD: undefined }, /ADMIN_PASSWORD is not set/],
      [{ ADMIN_PASSWORD: 'admin123' }, /ADMIN_PASSWORD is a default/],
    ])('refuses %p, saying which', (patch, message) => {
      expect(() => loadConfig({ ...strong, ...patch })).toThrow(ConfigValidationError);
      expect(() => loadConfig({ ...strong, ...patch })).toThrow(message);
    });
  });
});
