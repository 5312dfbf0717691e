import type { FraudType } from '../domain/events/vocabulary.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import { createAliasTable } from './alias-table.ts';
import type { OpaqueIdFactory } from './opaque-id-factory.ts';
import {
  BEHAVIOURS,
  BEHAVIOUR_PROFILES,
  HONEST_BEHAVIOURS,
  HOUSEHOLD_PARAMETERS,
  ORDER_PARAMETERS,
  RING_PARAMETERS,
  REVIEW_PARAMETERS,
  type Behaviour,
  type BehaviourProfile,
} from './simulation-parameters.ts';

const DAY_MS = 86_400_000;

export interface Customer {
  readonly index: number;
  readonly customerId: string;
  readonly behaviour: Behaviour;
  readonly profile: BehaviourProfile;
  readonly fraudType: FraudType | undefined;
  readonly ringId: string | undefined;
  householdId: string | undefined;
  /** Expected orders per day before seasonality. */
  readonly ordersPerDay: number;
  /** First simulated day the account can order (0 for accounts older than the simulation). */
  readonly activeFromDay: number;
  readonly accountCreatedMs: number;
  readonly currency: 'EUR' | 'GBP';
  readonly channelApp: boolean;
  readonly emailHash: string;
  /** Primary first. */
  readonly addressHashes: string[];
  readonly paymentFingerprints: string[];
  readonly deviceIds: string[];
  /** Reviewed once this many (fraudulent, for fraud behaviours) returns are requested; 0 = never reviewed. */
  readonly reviewAfterReturns: number;
  // Mutable history, as the marketplace would know it.
  orders: number;
  returns: number;
  fraudReturns: number;
  reviewed: boolean;
}

export interface Ring {
  readonly ringId: string;
  readonly behaviour: Behaviour;
  readonly memberIndexes: number[];
  readonly addressHashes: string[];
  readonly paymentFingerprints: string[];
  readonly deviceIds: string[];
}

export interface Household {
  readonly householdId: string;
  readonly memberIndexes: number[];
  readonly addressHash: string;
}

export interface Population {
  readonly customers: Customer[];
  readonly rings: Ring[];
  readonly households: Household[];
}

function integerBetween(random: SeededRandom, min: number, max: number): number {
  return min + random.nextInt(max - min + 1);
}

/**
 * Builds the customers: behaviours in their shares, rings of fraud accounts that share some (not
 * all) of an address, a payment instrument and a device, honest households that share an address
 * too, new and old accounts, order rates, and who is ever reviewed.
 */
export function buildPopulation(options: { random: SeededRandom; ids: OpaqueIdFactory; customerCount: number; days: number; startMs: number }): Population {
  const { random, ids, customerCount, days, startMs } = options;
  if (!Number.isInteger(customerCount) || customerCount < 1) throw new RangeError(`customers must be a positive integer, got ${customerCount}`);
  const behaviourTable = createAliasTable(BEHAVIOURS.map((behaviour) => BEHAVIOUR_PROFILES[behaviour].share));
  const behaviours: Behaviour[] = Array.from({ length: customerCount }, () => BEHAVIOURS[behaviourTable.sample(random)]!);
  const ringOf: (Ring | undefined)[] = new Array(customerCount).fill(undefined);
  const rings: Ring[] = [];
  const ringCount = Math.round(customerCount * RING_PARAMETERS.ringsPerCustomer);
  // Ring members are drawn from random positions, so their customer ids and indexes say nothing.
  for (let ringIndex = 0; ringIndex < ringCount; ringIndex++) {
    const size = integerBetween(random, RING_PARAMETERS.minMembers, RING_PARAMETERS.maxMembers);
    const behaviour = RING_PARAMETERS.behaviours[random.nextInt(RING_PARAMETERS.behaviours.length)]!;
    const ring: Ring = {
      ringId: ids.id('ring', 10),
      behaviour,
      memberIndexes: [],
      addressHashes: Array.from({ length: integerBetween(random, 1, 2) }, () => ids.hex(64)),
      paymentFingerprints: Array.from({ length: integerBetween(random, 1, 2) }, () => ids.hex(32)),
      deviceIds: Array.from({ length: integerBetween(random, 1, 2) }, () => ids.hex(32)),
    };
    for (let attempt = 0; ring.memberIndexes.length < size && attempt < size * 20; attempt++) {
      const index = random.nextInt(customerCount);
      if (ringOf[index] !== undefined) continue;
      ringOf[index] = ring;
      behaviours[index] = behaviour;
      ring.memberIndexes.push(index);
    }
    if (ring.memberIndexes.length >= 2) rings.push(ring);
    else for (const index of ring.memberIndexes) ringOf[index] = undefined;
  }
  const customers: Customer[] = behaviours.map((behaviour, index) => {
    const profile = BEHAVIOUR_PROFILES[behaviour];
    const ring = ringOf[index];
    const isNew = random.next() < profile.newAccountShare;
    const activeFromDay = isNew ? random.nextInt(Math.max(1, days)) : 0;
    const accountCreatedMs = isNew
      ? startMs + activeFromDay * DAY_MS + Math.floor(random.next() * DAY_MS)
      : startMs - Math.floor((30 + random.next() * 2000) * DAY_MS);
    const ordersPerYear = Math.min(ORDER_PARAMETERS.maxOrdersPerYear, profile.medianOrdersPerYear * Math.exp(0.8 * random.nextNormal()));
    const fraud = !HONEST_BEHAVIOURS.has(behaviour);
    let reviewAfterReturns = 0;
    if (fraud) {
      if (random.next() < REVIEW_PARAMETERS.fraudReviewShare) reviewAfterReturns = integerBetween(random, 2, 4);
    } else if (behaviour !== 'ordinary') {
      if (random.next() < REVIEW_PARAMETERS.honestHeavyReviewShare) reviewAfterReturns = integerBetween(random, 3, 5);
    } else if (random.next() < REVIEW_PARAMETERS.ordinaryReviewShare) {
      reviewAfterReturns = integerBetween(random, 1, 2);
    }
    const customer: Customer = {
      index,
      customerId: ids.id('cus', 16),
      behaviour,
      profile,
      fraudType: profile.fraudType,
      ringId: ring?.ringId,
      householdId: undefined,
      ordersPerDay: ordersPerYear / 365,
      activeFromDay,
      accountCreatedMs,
      currency: random.next() < ORDER_PARAMETERS.gbpCustomerShare ? 'GBP' : 'EUR',
      channelApp: random.next() < ORDER_PARAMETERS.appChannelShare,
      emailHash: ids.hex(64),
      addressHashes: [ids.hex(64), ...(random.next() < 0.15 ? [ids.hex(64)] : [])],
      paymentFingerprints: [ids.hex(32), ...(random.next() < 0.25 ? [ids.hex(32)] : [])],
      deviceIds: [ids.hex(32), ...(random.next() < 0.3 ? [ids.hex(32)] : [])],
      reviewAfterReturns,
      orders: 0,
      returns: 0,
      fraudReturns: 0,
      reviewed: false,
    };
    if (ring !== undefined) {
      const shares = [
        random.next() < RING_PARAMETERS.shareAddress,
        random.next() < RING_PARAMETERS.sharePayment,
        random.next() < RING_PARAMETERS.shareDevice,
      ];
      // Every member shares at least one thing with the ring, or it would not be one.
      if (!shares.includes(true)) shares[random.nextInt(3)] = true;
      if (shares[0]) customer.addressHashes[0] = ring.addressHashes[random.nextInt(ring.addressHashes.length)]!;
      if (shares[1]) customer.paymentFingerprints[0] = ring.paymentFingerprints[random.nextInt(ring.paymentFingerprints.length)]!;
      if (shares[2]) customer.deviceIds[0] = ring.deviceIds[random.nextInt(ring.deviceIds.length)]!;
    }
    return customer;
  });
  const households: Household[] = [];
  const ordinary = customers.filter((customer) => customer.behaviour === 'ordinary' || customer.behaviour === 'heavy_returner');
  let cursor = 0;
  const wanted = Math.round(ordinary.length * HOUSEHOLD_PARAMETERS.shareInHouseholds);
  // Shuffle candidates so households join random accounts.
  for (let index = ordinary.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1);
    [ordinary[index], ordinary[other]] = [ordinary[other]!, ordinary[index]!];
  }
  while (cursor < wanted) {
    const size = integerBetween(random, HOUSEHOLD_PARAMETERS.minMembers, HOUSEHOLD_PARAMETERS.maxMembers);
    const members = ordinary.slice(cursor, cursor + size);
    cursor += size;
    if (members.length < 2) break;
    const head = members[0]!;
    const household: Household = { householdId: ids.id('hh', 10), memberIndexes: members.map((member) => member.index), addressHash: head.addressHashes[0]! };
    for (const member of members) {
      member.householdId = household.householdId;
      member.addressHashes[0] = household.addressHash;
      if (member !== head && random.next() < HOUSEHOLD_PARAMETERS.shareDevice) member.deviceIds.push(head.deviceIds[0]!);
      if (member !== head && random.next() < HOUSEHOLD_PARAMETERS.sharePayment) member.paymentFingerprints.push(head.paymentFingerprints[0]!);
    }
    households.push(household);
  }
  return { customers, rings, households };
}
