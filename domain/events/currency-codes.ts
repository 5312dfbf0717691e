/**
 * The currencies an order or a refund may be stated in (`data.currency`): the ISO 4217 codes of
 * money people pay with, from ISO 4217 List One as published by its maintenance agency (SIX) on
 * 2026-01-01, plus six codes replaced since 2021 that backfills of recent years still carry.
 *
 * Left out on purpose, because an order is never paid in them and a producer sending one has a bug:
 * fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), units of account (XAD, XDR, XSU, XUA,
 * XBA–XBD), precious metals (XAG, XAU, XPD, XPT), the testing code XTS and "no currency" XXX.
 *
 * A committed list, not `Intl.supportedValuesOf('currency')`: that is the CLDR list of the ICU
 * Node was built with, so it changes with the Node release or a system-ICU build, and one event
 * would be stored by one process and quarantined by another. Node 20.20 (ICU 78.2) lists 162
 * codes with HRK, BGN, CUC, ZWL, XDR and XSU, but not VED (List One since 2021).
 *
 * Adding a currency is one line here; docs/events.md § Currencies says the rule.
 */

/** Circulating currencies of ISO 4217 List One (published 2026-01-01), alphabetical. */
const CIRCULATING = [
  'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BHD', 'BIF', 'BMD', 'BND',
  'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CLP', 'CNY', 'COP', 'CRC', 'CUP', 'CVE',
  'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD',
  'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY',
  'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LYD', 'MAD',
  'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO',
  'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF',
  'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB',
  'TJS', 'TMT', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'UYU', 'UZS', 'VED', 'VES', 'VND',
  'VUV', 'WST', 'XAF', 'XCD', 'XCG', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW', 'ZWG',
] as const;

/**
 * Replaced since 2021, kept so that orders and refunds of those years can be imported: BGN (by the
 * euro, 2026), HRK (by the euro, 2023), ANG (by XCG, 2025), ZWL (by ZWG, 2024), SLL (by SLE), CUC
 * (Cuba's convertible peso, withdrawn 2021).
 */
const RECENTLY_REPLACED = ['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'ZWL'] as const;

/** Every code `data.currency` may hold, alphabetical. */
export const CURRENCY_CODES: readonly string[] = [...CIRCULATING, ...RECENTLY_REPLACED].sort();

const KNOWN = new Set(CURRENCY_CODES);

/**
 * True when `code` is a currency an order or refund may be in.
 * @example
 * isCurrencyCode('EUR'); // true
 * isCurrencyCode('eur'); // false (ISO 4217 codes are upper case)
 * isCurrencyCode('XTS'); // false (ISO's testing code is no money)
 */
export function isCurrencyCode(code: string): boolean {
  return KNOWN.has(code);
}

/**
 * ISO 4217 minor units ("exponent") of the codes above that do not have 2: how many digits of an
 * amount in minor units follow the decimal point (EUR 2, JPY 0, KWD 3). Not Intl's currency digits:
 * those are CLDR's display digits (HUF and IDR show 0, ISO says 2). Until session 13 models/risk kept
 * a table of its own, with the funds and metals the contract refuses.
 */
const MINOR_UNIT_DIGITS: ReadonlyMap<string, number> = new Map([
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map((code) => [code, 0] as const),
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
]);

/**
 * The ISO 4217 exponent of a currency of CURRENCY_CODES (2 for any code not listed as otherwise).
 * @example
 * minorUnitDigits('EUR'); // 2
 * minorUnitDigits('JPY'); // 0
 * minorUnitDigits('KWD'); // 3
 */
export function minorUnitDigits(code: string): number {
  return MINOR_UNIT_DIGITS.get(code) ?? 2;
}
