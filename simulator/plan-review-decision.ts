import type { FraudType, Verdict } from '../domain/events/vocabulary.ts';
import type { Customer } from './build-population.ts';
import { DAY_MS, formatTime, scheduleEvent, uniform, type SimulationContext } from './simulation-context.ts';
import { REVIEW_PARAMETERS } from './simulation-parameters.ts';

const ABUSE_TYPES: ReadonlySet<FraudType> = new Set(['wardrobing', 'false_defect_claim']);
const WRONG_FRAUD_TYPES: readonly FraudType[] = ['wardrobing', 'false_defect_claim', 'other'];

/**
 * A reviewer's decision on a customer, some days after the return that got them noticed. Labels are
 * partial (only some customers are reviewed) and a few verdicts are wrong, as in real review queues.
 */
export function planReviewDecision(context: SimulationContext, customer: Customer, noticedMs: number): void {
  const { random, ids } = context;
  customer.reviewed = true;
  const decidedMs = noticedMs + uniform(random, 3, 25) * DAY_MS;
  const wrong = random.next() < REVIEW_PARAMETERS.wrongVerdictShare;
  let verdict: Verdict;
  let fraudType: FraudType | undefined;
  if (customer.fraudType !== undefined) {
    verdict = wrong ? 'legitimate' : ABUSE_TYPES.has(customer.fraudType) ? 'abuse' : 'fraud';
    if (!wrong) fraudType = customer.ringId !== undefined && random.next() < 0.5 ? 'ring' : customer.fraudType;
  } else {
    verdict = wrong ? 'abuse' : 'legitimate';
    if (wrong) fraudType = WRONG_FRAUD_TYPES[random.nextInt(WRONG_FRAUD_TYPES.length)]!;
  }
  if (decidedMs >= context.endMs) return;
  const decisionId = ids.id('dec');
  const decidedBy = REVIEW_PARAMETERS.reviewers[random.nextInt(REVIEW_PARAMETERS.reviewers.length)]!;
  scheduleEvent(context, {
    customerId: customer.customerId,
    timeMs: decidedMs,
    type: 'risk.decision',
    source: 'risk-console',
    subject: customer.customerId,
    data:
      fraudType === undefined
        ? { decisionId, customerId: customer.customerId, decidedAt: formatTime(decidedMs), decidedBy, verdict }
        : { decisionId, customerId: customer.customerId, decidedAt: formatTime(decidedMs), decidedBy, verdict, fraudType },
  });
  context.decisions.push(fraudType === undefined ? { decisionId, customerId: customer.customerId, verdict, correct: !wrong } : { decisionId, customerId: customer.customerId, verdict, fraudType, correct: !wrong });
}
