import { E164, normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['9876543210', '+919876543210'],
    ['98765 43210', '+919876543210'],
    ['098765-43210', '+919876543210'],
    ['098765 43210', '+919876543210'],
    ['00919876543210', '+919876543210'],
    ['919876543210', '+919876543210'],
    ['+91 98765 43210', '+919876543210'],
    ['+91 98765-43210', '+919876543210'],
    ['(080) 2345 6789', '+918023456789'],
    ['+14155550100', '+14155550100'],
    ['0014155550100', '+14155550100'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%p → %p', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
    expect(expected).toMatch(E164);
  });

  it.each(['12345', 'abc', '98765x43210', '+1 234'])('leaves %p for validation to reject', (input) => {
    expect(normalizePhone(input)).not.toMatch(E164);
  });

  it('leaves non-strings for validation', () => {
    expect(normalizePhone(42)).toBe(42);
  });
});
