import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, isCurrencyCode, minorUnitDigits } from '../../../domain/events/currency-codes.ts';

describe('currency codes', () => {
  it('are upper-case three-letter codes, sorted, each once', () => {
    expect(CURRENCY_CODES.every((code) => /^[A-Z]{3}$/.test(code))).toBe(true);
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
  });

  it('hold the circulating currencies of ISO 4217 List One (2026-01-01) and the six replaced since 2021', () => {
    // List One of 2026-01-01 holds 178 codes; 23 of them are no money people pay with (below).
    expect(CURRENCY_CODES).toHaveLength(178 - 23 + 6);
    for (const code of ['EUR', 'USD', 'GBP', 'JPY', 'KWD', 'CLP', 'XOF', 'XAF', 'XPF', 'XCD', 'XCG', 'VED', 'VES', 'SLE', 'ZWG', 'MRU', 'STN']) expect(isCurrencyCode(code), code).toBe(true);
    for (const code of ['BGN', 'HRK', 'ANG', 'ZWL', 'SLL', 'CUC']) expect(isCurrencyCode(code), code).toBe(true);
  });

  it('leave out funds, units of account, metals, the testing and no-currency codes, withdrawn ones before 2021 and other spellings', () => {
    const noMoney = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW', 'XAD', 'XDR', 'XSU', 'XUA', 'XBA', 'XBB', 'XBC', 'XBD', 'XAG', 'XAU', 'XPD', 'XPT', 'XTS', 'XXX'];
    for (const code of noMoney) expect(isCurrencyCode(code), code).toBe(false);
    for (const code of ['DEM', 'FRF', 'VEF', 'MRO', 'LTL', 'XYZ', 'eur', 'Eur', 'EURO', 'EU', '']) expect(isCurrencyCode(code), code).toBe(false);
  });

  it('give each code its ISO 4217 exponent: 0 or 3 for these, 2 for every other (the one table models/risk formats amounts with)', () => {
    const byDigits = (digits: number) => CURRENCY_CODES.filter((code) => minorUnitDigits(code) === digits);
    expect(byDigits(0)).toEqual(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
    expect(byDigits(3)).toEqual(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
    expect(byDigits(2)).toHaveLength(CURRENCY_CODES.length - 16 - 7);
  });
});
