import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is counted under: an IPv4 address as it is (an IPv4-mapped IPv6 address
 * as its IPv4 form), an IPv6 address by its /64 prefix, because one subscriber usually holds a whole
 * /64 and could otherwise rotate through 2^64 addresses to dodge a per-address limit.
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::a.b.c.d) is two groups; only the first four groups matter here anyway.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Express's `trust proxy` from `TRUST_PROXY`: empty or `false` trusts no proxy (the socket's peer is
 * the client), a number trusts that many hops, anything else is a comma-separated list of addresses,
 * CIDR ranges or Express's names (`loopback`, `linklocal`, `uniquelocal`).
 */
export function trustProxySetting(value: string | undefined): boolean | number | string[] {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false' || text === 'none') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
