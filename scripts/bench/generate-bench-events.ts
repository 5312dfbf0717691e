/**
 * A small, fast generator of realistic marketplace event lines for the ingest benchmark: orders with
 * 1–4 lines, deliveries, returns with receipts, inspections, refunds and closures, some feedback and
 * claims. Not the simulator (simulator/ models customers and fraud); this only has to produce valid
 * contract events in a realistic mix and size, deterministically for a seed.
 */
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { RETURN_REASON_CODES } from '../../domain/events/vocabulary.ts';

export interface GenerateBenchEventsOptions {
  /** Stop once at least this many events were produced. */
  events: number;
  seed?: number;
  /** First event time; later events follow a few minutes apart. Default 2026-01-01T00:00:00Z. */
  start?: Date;
  /**
   * Put after `evt_`, `ord_`, `ret_`, `rfd_` and `clm_` in every event and entity id, so that runs
   * with several seeds into one database do not re-send one order under new ids (default none).
   */
  idPrefix?: string;
}

const CATEGORIES = ['apparel', 'shoes', 'electronics', 'home', 'beauty', 'toys', 'sports', 'books'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const COLORS = ['black', 'white', 'red', 'blue', 'green'];
const CONDITIONS = ['A_new', 'A_new', 'B_open_box', 'C_used', 'D_damaged', 'X_not_declared_item'];
const FAULTS = ['none_found', 'manufacturing', 'carrier', 'customer', 'warehouse'];
const DISPOSITIONS = ['restock', 'b_stock', 'refurbish', 'return_to_vendor', 'liquidate'];

/**
 * Generates NDJSON-ready event texts (one CloudEvent each).
 * @example
 * const lines = generateBenchEvents({ events: 1000, seed: 7 }); // ~1000 JSON strings
 */
export function generateBenchEvents(options: GenerateBenchEventsOptions): string[] {
  if (!Number.isInteger(options.events) || options.events < 1) throw new RangeError(`events must be a positive integer, got ${options.events}`);
  const random = createSeededRandom(options.seed ?? 1);
  const pick = <T>(values: readonly T[]): T => values[random.nextInt(values.length)]!;
  const lines: string[] = [];
  let clock = (options.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
  let eventNumber = 0;
  const prefix = options.idPrefix ?? '';
  const envelope = (type: string, source: string, subject: string, at: number, data: object): string =>
    JSON.stringify({
      specversion: '1.0',
      id: `evt_${prefix}${(eventNumber++).toString(36).padStart(8, '0')}`,
      source,
      type,
      time: new Date(at).toISOString(),
      subject,
      datacontenttype: 'application/json',
      dataschema: 'retour/v1',
      data,
    });
  const iso = (at: number): string => new Date(at).toISOString();
  let order = 0;
  while (lines.length < options.events) {
    clock += 1000 + random.nextInt(120_000);
    const orderId = `ord_${prefix}${order}`;
    const customerId = `cus_${random.nextInt(50_000)}`;
    const lineCount = 1 + random.nextInt(4);
    const orderLines = Array.from({ length: lineCount }, (_, index) => {
      const category = pick(CATEGORIES);
      return {
        lineId: `${orderId}_l${index}`,
        productId: `prd_${random.nextInt(5000)}`,
        sellerId: `sel_${random.nextInt(300)}`,
        category,
        quantity: 1 + (random.next() < 0.8 ? 0 : random.nextInt(3)),
        unitPrice: 499 + random.nextInt(20_000),
        ...(category === 'apparel' || category === 'shoes' ? { variant: { size: pick(SIZES), color: pick(COLORS) } } : {}),
      };
    });
    const placedAt = clock;
    lines.push(
      envelope('order.placed', 'orders-service', orderId, placedAt, {
        orderId,
        customerId,
        placedAt: iso(placedAt),
        currency: 'EUR',
        channel: pick(['web', 'app']),
        addressHash: `adr_${random.nextInt(40_000)}`,
        paymentFingerprint: `pay_${random.nextInt(45_000)}`,
        deviceId: `dev_${random.nextInt(48_000)}`,
        lines: orderLines,
      }),
    );
    if (random.next() < 0.95) {
      const deliveredAt = placedAt + 86_400_000 * (1 + random.nextInt(5));
      lines.push(envelope('order.delivered', 'logistics-service', orderId, deliveredAt, { orderId, customerId, deliveredAt: iso(deliveredAt) }));
      if (random.next() < 0.06) {
        lines.push(
          envelope('claim.opened', 'support-service', orderId, deliveredAt + 3_600_000, {
            claimId: `clm_${prefix}${order}`,
            orderId,
            customerId,
            openedAt: iso(deliveredAt + 3_600_000),
            kind: pick(['not_received', 'arrived_damaged', 'missing_item', 'wrong_item']),
          }),
        );
      }
      if (random.next() < 0.3) {
        const returnId = `ret_${prefix}${order}`;
        const returned = orderLines.filter((_, index) => index === 0 || random.next() < 0.4);
        const requestedAt = deliveredAt + 86_400_000 * (1 + random.nextInt(20));
        lines.push(
          envelope('return.requested', 'returns-service', returnId, requestedAt, {
            returnId,
            orderId,
            customerId,
            requestedAt: iso(requestedAt),
            method: pick(['mail', 'drop_off', 'in_store', 'pickup']),
            resolution: pick(['refund', 'refund', 'store_credit', 'exchange']),
            lines: returned.map((line) => ({
              lineId: line.lineId,
              productId: line.productId,
              quantity: line.quantity,
              reason: pick(RETURN_REASON_CODES),
              ...(random.next() < 0.2 ? { comment: 'the seams came apart after one wash' } : {}),
            })),
          }),
        );
        const receivedAt = requestedAt + 86_400_000 * (2 + random.nextInt(6));
        lines.push(
          envelope('return.received', 'warehouse-service', returnId, receivedAt, {
            returnId,
            receivedAt: iso(receivedAt),
            lines: returned.map((line) => ({ lineId: line.lineId, quantity: line.quantity })),
            weightGrams: 200 + random.nextInt(3000),
          }),
        );
        const inspectedAt = receivedAt + 3_600_000 * (1 + random.nextInt(48));
        lines.push(
          envelope('return.inspected', 'warehouse-service', returnId, inspectedAt, {
            returnId,
            inspectedAt: iso(inspectedAt),
            lines: returned.map((line) => ({ lineId: line.lineId, condition: pick(CONDITIONS), fault: pick(FAULTS), disposition: pick(DISPOSITIONS) })),
          }),
        );
        const issuedAt = inspectedAt + 3_600_000 * (1 + random.nextInt(72));
        lines.push(
          envelope('refund.issued', 'payments-service', returnId, issuedAt, {
            refundId: `rfd_${prefix}${order}`,
            returnId,
            orderId,
            customerId,
            issuedAt: iso(issuedAt),
            amount: returned.reduce((total, line) => total + line.unitPrice * line.quantity, 0),
            currency: 'EUR',
            method: 'original_payment',
          }),
        );
        lines.push(envelope('return.closed', 'returns-service', returnId, issuedAt + 60_000, { returnId, closedAt: iso(issuedAt + 60_000), outcome: 'refunded' }));
        if (random.next() < 0.3) {
          lines.push(
            envelope('return.feedback', 'survey-service', returnId, issuedAt + 86_400_000, {
              returnId,
              customerId,
              submittedAt: iso(issuedAt + 86_400_000),
              rating: 1 + random.nextInt(5),
            }),
          );
        }
      }
    }
    order++;
  }
  return lines;
}
