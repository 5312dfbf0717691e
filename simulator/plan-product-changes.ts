import type { SeededRandom } from '../models/random/seeded-random.ts';
import type { Catalogue, Product } from './build-catalogue.ts';
import { EPISODE_ISSUES } from './comment-phrases.ts';
import type { OpaqueIdFactory } from './opaque-id-factory.ts';
import { DAY_MS, uniform } from './simulation-context.ts';
import { EPISODE_PARAMETERS } from './simulation-parameters.ts';

/**
 * Places defect episodes (a product's product-fault return probability × 2–5 for 2–8 weeks, on
 * best-sellers and on low-volume products) and reason-mix shifts (a sizing or packaging change)
 * on the catalogue, for units delivered in their date ranges. Episodes end early enough that their
 * returns can still arrive before the stream ends, when the simulated period allows it.
 */
export function planProductChanges(options: {
  random: SeededRandom;
  ids: OpaqueIdFactory;
  catalogue: Catalogue;
  startMs: number;
  days: number;
  episodeCount?: number;
  shiftCount?: number;
}): void {
  const { random, ids, catalogue, startMs, days } = options;
  const products = catalogue.products as Product[];
  const byPopularity = [...products].sort((a, b) => b.popularity - a.popularity);
  const bestSellerCount = Math.max(1, Math.round(products.length * 0.05));
  const used = new Set<number>();
  const episodeCount = options.episodeCount ?? Math.max(2, Math.round((products.length * EPISODE_PARAMETERS.episodesPerThousandProducts) / 1000));
  const shiftCount = options.shiftCount ?? Math.max(1, Math.round((products.length * EPISODE_PARAMETERS.shiftsPerThousandProducts) / 1000));

  const placeRange = (minDays: number, maxDays: number): { startMs: number; endMs: number } => {
    const duration = Math.max(3, Math.min(uniform(random, minDays, maxDays), days * 0.4));
    const earliest = days * 0.15;
    // Leave a return window and delivery time after the episode when the period is long enough.
    const latest = Math.max(earliest, days - duration - 35 > earliest ? days - duration - 35 : days - duration);
    const startDay = Math.floor(uniform(random, earliest, latest));
    return { startMs: startMs + startDay * DAY_MS, endMs: startMs + Math.round(startDay + duration) * DAY_MS };
  };
  const drawUnused = (pool: readonly Product[]): Product | undefined => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const product = pool[random.nextInt(pool.length)]!;
      if (!used.has(product.index)) {
        used.add(product.index);
        return product;
      }
    }
    return undefined;
  };

  for (let index = 0; index < episodeCount; index++) {
    const bestSeller = random.next() < EPISODE_PARAMETERS.bestSellerShare || index === 0;
    const pool = bestSeller ? byPopularity.slice(0, bestSellerCount) : byPopularity.slice(bestSellerCount);
    const product = drawUnused(pool.length > 0 ? pool : byPopularity);
    if (product === undefined) continue;
    const range = placeRange(EPISODE_PARAMETERS.minWeeks * 7, EPISODE_PARAMETERS.maxWeeks * 7);
    const issues = EPISODE_ISSUES[product.category.name] ?? ['stopped working'];
    product.episodes.push({
      episodeId: ids.id('eps', 10),
      ...range,
      factor: Math.round(uniform(random, EPISODE_PARAMETERS.minFactor, EPISODE_PARAMETERS.maxFactor) * 100) / 100,
      issue: issues[random.nextInt(issues.length)]!,
    });
  }
  const shiftPool = byPopularity.slice(0, Math.max(1, Math.round(products.length * 0.2)));
  for (let index = 0; index < shiftCount; index++) {
    const product = drawUnused(shiftPool);
    if (product === undefined) continue;
    const range = placeRange(28, 84);
    product.shifts.push({
      ...range,
      // A sizing change runs small; a packaging change breaks things in transit.
      reason: product.sizes !== undefined ? 'fit.too_small' : 'logistics.arrived_damaged',
      addedShare: Math.round(uniform(random, EPISODE_PARAMETERS.minShiftShare, EPISODE_PARAMETERS.maxShiftShare) * 100) / 100,
      rateMultiplier: EPISODE_PARAMETERS.shiftRateMultiplier,
    });
  }
}
