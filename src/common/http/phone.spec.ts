import { normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['9876543210', '+919876543210'],
    ['98765 43210', '+919876543210'],
    ['098765-43210', '+919876543210'],
    ['919876543210', '+919876543210'],
    ['+91 98765 43210', '+919876543210'],
    ['+14155550100', '+14155550100'],
  ])('%p → %p', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it('leaves non-strings for validation', () => {
    expect(normalizePhone(42)).toBe(42);
  });
});
