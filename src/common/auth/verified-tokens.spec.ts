import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  const merchant = { id: 7, role: 'merchant' as const };

  it('serves a remembered token until its expiry, and never after', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', merchant, 10_000);
    expect(tokens.get('a.b.c', 9_999)).toEqual(merchant);
    expect(tokens.get('a.b.c', 10_000)).toBeUndefined();
    // An expired entry is dropped, not kept for later.
    expect(tokens.size).toBe(0);
  });

  it('matches only the exact token text', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', merchant, 10_000);
    expect(tokens.get('a.b.C', 0)).toBeUndefined();
    expect(tokens.get('a.b.c ', 0)).toBeUndefined();
    expect(tokens.get('', 0)).toBeUndefined();
  });

  it('hands out a frozen copy, so no request can change what the next one sees', () => {
    const tokens = new VerifiedTokens();
    const principal = { ...merchant };
    tokens.remember('t', principal, 10_000);
    principal.id = 8;
    const served = tokens.get('t', 0)!;
    expect(served).toEqual(merchant);
    expect(Object.isFrozen(served)).toBe(true);
  });

  it('forgets the oldest token first when full', () => {
    const tokens = new VerifiedTokens(2);
    tokens.remember('t1', merchant, 10_000);
    tokens.remember('t2', merchant, 10_000);
    tokens.remember('t3', merchant, 10_000);
    expect(tokens.size).toBe(2);
    expect(tokens.get('t1', 0)).toBeUndefined();
    expect(tokens.get('t2', 0)).toEqual(merchant);
    expect(tokens.get('t3', 0)).toEqual(merchant);
  });
});
