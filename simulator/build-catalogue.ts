import { RETURN_REASONS, type ReturnReason } from '../domain/events/vocabulary.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import { createAliasTable, type AliasTable } from './alias-table.ts';
import type { OpaqueIdFactory } from './opaque-id-factory.ts';
import { CATEGORY_PROFILES, ORDER_PARAMETERS, type CategoryProfile } from './simulation-parameters.ts';

/** A weighted list of reasons with a cumulative table for sampling. */
export interface ReasonTable {
  readonly reasons: readonly ReturnReason[];
  readonly cumulative: Float64Array;
}

/** A change in a product's defect rate or reason mix for units delivered in [startMs, endMs). */
export interface DefectEpisode {
  readonly episodeId: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Multiplier on the product-fault return probability. */
  readonly factor: number;
  readonly issue: string;
}

export interface ReasonShift {
  readonly startMs: number;
  readonly endMs: number;
  readonly reason: ReturnReason;
  /** Share of the product's non-product-fault returns that take `reason` while the shift lasts. */
  readonly addedShare: number;
  /** Multiplier on the non-product-fault return probability while the shift lasts. */
  readonly rateMultiplier: number;
}

export interface Product {
  readonly index: number;
  readonly productId: string;
  readonly sellerId: string;
  readonly category: CategoryProfile;
  readonly categoryIndex: number;
  /** Unit price in EUR cents. */
  readonly priceCents: number;
  readonly weightGrams: number;
  /** Expected probability that an ordinary customer returns a line (outside episodes and shifts). */
  readonly returnRate: number;
  /** Share of returns with a product-fault reason (quality.*, description.*). */
  readonly productFaultShare: number;
  readonly productFaultReasons: ReasonTable;
  readonly otherReasons: ReasonTable;
  readonly sizes: readonly string[] | undefined;
  readonly colours: readonly string[] | undefined;
  readonly popularity: number;
  episodes: DefectEpisode[];
  shifts: ReasonShift[];
}

export interface Catalogue {
  readonly products: readonly Product[];
  /** Draws a product by popularity over the whole catalogue. */
  readonly byPopularity: AliasTable;
  /** Draws a product of one category by popularity: category name → (table, product indexes). */
  readonly byCategory: ReadonlyMap<string, { table: AliasTable; indexes: readonly number[] }>;
}

function reasonTable(weights: ReadonlyArray<[ReturnReason, number]>): ReasonTable {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach(([, weight], index) => {
    total += weight;
    cumulative[index] = total;
  });
  for (let index = 0; index < cumulative.length; index++) cumulative[index] = cumulative[index]! / total;
  return { reasons: weights.map(([reason]) => reason), cumulative };
}

/** Draws a reason from a table. */
export function sampleReason(table: ReasonTable, random: SeededRandom): ReturnReason {
  const u = random.next();
  const { cumulative, reasons } = table;
  for (let index = 0; index < cumulative.length; index++) if (u < cumulative[index]!) return reasons[index]!;
  return reasons[reasons.length - 1]!;
}

function logNormal(random: SeededRandom, median: number, sigma: number): number {
  return median * Math.exp(sigma * random.nextNormal());
}

/**
 * Builds the product catalogue: categories in their shares, Zipf popularity (a few best-sellers, a
 * long tail), prices, weights, sellers, sizes and colours, and per-product return rates and reason
 * mixes scattered around the category's. Return rates are rescaled so that the popularity-weighted
 * mean of each category equals its parameter exactly, which keeps the realised rate testable.
 */
export function buildCatalogue(options: { random: SeededRandom; ids: OpaqueIdFactory; productCount: number }): Catalogue {
  const { random, ids, productCount } = options;
  if (!Number.isInteger(productCount) || productCount < CATEGORY_PROFILES.length) {
    throw new RangeError(`products must be an integer >= ${CATEGORY_PROFILES.length} (one per category), got ${productCount}`);
  }
  const sellerIds = Array.from({ length: Math.max(3, Math.round(productCount / 25)) }, () => ids.id('sel', 12));
  const sellerPopularity = createAliasTable(sellerIds.map((_, rank) => 1 / (rank + 1)));
  // Category of each product: at least one per category, then by share.
  const categoryOf: number[] = CATEGORY_PROFILES.map((_, index) => index);
  const shareTable = createAliasTable(CATEGORY_PROFILES.map((profile) => profile.productShare));
  while (categoryOf.length < productCount) categoryOf.push(shareTable.sample(random));
  // Popularity ranks are a random permutation, so best-sellers fall in any category.
  const ranks = Array.from({ length: productCount }, (_, index) => index + 1);
  for (let index = ranks.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1);
    [ranks[index], ranks[other]] = [ranks[other]!, ranks[index]!];
  }
  const draft = categoryOf.map((categoryIndex, index) => {
    const category = CATEGORY_PROFILES[categoryIndex]!;
    const popularity = category.demandWeight * ranks[index]! ** -ORDER_PARAMETERS.popularityExponent;
    const weights = Object.entries(category.reasonWeights).map(
      ([reason, weight]) => [reason as ReturnReason, weight * Math.exp(0.3 * random.nextNormal())] as [ReturnReason, number],
    );
    const productFaultWeight = weights.filter(([reason]) => RETURN_REASONS[reason].productFault).reduce((sum, [, weight]) => sum + weight, 0);
    const totalWeight = weights.reduce((sum, [, weight]) => sum + weight, 0);
    const colours = category.colours === undefined ? undefined : category.colours.filter(() => random.next() < 0.5);
    return {
      categoryIndex,
      category,
      popularity,
      rateMultiplier: Math.exp(0.35 * random.nextNormal()),
      weights,
      productFaultShare: productFaultWeight / totalWeight,
      priceCents: Math.max(199, Math.round(logNormal(random, category.medianPriceCents, category.priceSpread) / 10) * 10 - 1),
      weightGrams: Math.max(40, Math.round(logNormal(random, category.medianWeightGrams, 0.4))),
      colours: colours === undefined || colours.length > 0 ? colours : category.colours?.slice(0, 1),
    };
  });
  // Popularity-weighted mean of the rate multiplier is 1 in every category.
  const weightedSum = new Map<number, { popularity: number; weighted: number }>();
  for (const item of draft) {
    const entry = weightedSum.get(item.categoryIndex) ?? { popularity: 0, weighted: 0 };
    entry.popularity += item.popularity;
    entry.weighted += item.popularity * item.rateMultiplier;
    weightedSum.set(item.categoryIndex, entry);
  }
  const products: Product[] = draft.map((item, index) => {
    const sums = weightedSum.get(item.categoryIndex)!;
    const returnRate = Math.min(0.85, (item.category.returnRate * item.rateMultiplier * sums.popularity) / sums.weighted);
    return {
      index,
      productId: ids.id('prd', 14),
      sellerId: sellerIds[sellerPopularity.sample(random)]!,
      category: item.category,
      categoryIndex: item.categoryIndex,
      priceCents: item.priceCents,
      weightGrams: item.weightGrams,
      returnRate,
      productFaultShare: item.productFaultShare,
      productFaultReasons: reasonTable(item.weights.filter(([reason]) => RETURN_REASONS[reason].productFault)),
      otherReasons: reasonTable(item.weights.filter(([reason]) => !RETURN_REASONS[reason].productFault)),
      sizes: item.category.sizes,
      colours: item.colours,
      popularity: item.popularity,
      episodes: [],
      shifts: [],
    };
  });
  const byCategory = new Map<string, { table: AliasTable; indexes: number[] }>();
  for (const [categoryIndex, category] of CATEGORY_PROFILES.entries()) {
    const indexes = products.filter((product) => product.categoryIndex === categoryIndex).map((product) => product.index);
    byCategory.set(category.name, { indexes, table: createAliasTable(indexes.map((index) => products[index]!.popularity)) });
  }
  return { products, byPopularity: createAliasTable(products.map((product) => product.popularity)), byCategory };
}
