import { TransactionTableFactory } from './transaction-table.factory.js';

describe('TransactionTableFactory names', () => {
  it('builds the name only from a positive integer id', () => {
    expect(TransactionTableFactory.tableName(42)).toBe('transaction_42');
    expect(TransactionTableFactory.quotedTableName(7)).toBe('"transaction_7"');
  });

  it.each([
    0,
    -1,
    1.5,
    Number.NaN,
    Number.MAX_SAFE_INTEGER + 1,
    '1; DROP TABLE merchants' as unknown as number,
  ])('refuses %p', (id) => {
    expect(() => TransactionTableFactory.tableName(id)).toThrow(TypeError);
  });
});
