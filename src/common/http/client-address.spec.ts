import { addressBucket, trustProxySetting } from './client-address.js';

describe('addressBucket', () => {
  it('keeps IPv4 addresses whole, and unwraps IPv4-mapped IPv6', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every IPv6 address of one /64 as one client', () => {
    const a = addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::1')).toBe(a);
    expect(addressBucket('2001:DB8:0001:0002:ffff::')).toBe(a);
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(a);
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  });
});

describe('trustProxySetting', () => {
  it('trusts no proxy by default', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('')).toBe(false);
    expect(trustProxySetting('false')).toBe(false);
  });

  it('takes a hop count or a list of addresses', () => {
    expect(trustProxySetting('1')).toBe(1);
    expect(trustProxySetting('10.0.0.1, 10.0.0.0/8,loopback')).toEqual([
      '10.0.0.1',
      '10.0.0.0/8',
      'loopback',
    ]);
  });
});
