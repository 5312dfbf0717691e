import type { DuckDBConnection } from '@duckdb/node-api';

/** Minimal fact rows for risk tests; every time is an RFC 3339 string. */
export interface RiskFacts {
  orders?: { orderId: string; customerId: string; placedAt: string; addressHash?: string; paymentFingerprint?: string; deviceId?: string }[];
  lines?: { orderId: string; lineId: string; customerId: string; productId: string; quantity?: number; unitPrice: number; size?: string; placedAt: string; category?: string }[];
  deliveries?: { orderId: string; customerId: string; lineId?: string; deliveredAt: string }[];
  returns?: { returnId: string; orderId: string; customerId: string; requestedAt: string; lines: { lineId: string; productId: string; quantity?: number; reason: string }[] }[];
  receipts?: { returnId: string; lineId: string; receivedAt: string; quantity?: number; weightGrams?: number }[];
  inspections?: { returnId: string; lineId: string; inspectedAt: string; condition: string; fault?: string }[];
  refunds?: { refundId: string; returnId?: string; orderId: string; customerId: string; issuedAt: string; amount: number }[];
  claims?: { claimId: string; orderId: string; customerId: string; openedAt: string; kind?: string }[];
  decisions?: { decisionId: string; customerId: string; flagId?: string; decidedAt: string; verdict: string; fraudType?: string }[];
}

/** Inserts hand-built facts (tests only: row at a time is fine for a handful of rows). */
export async function insertRiskFacts(connection: DuckDBConnection, facts: RiskFacts): Promise<void> {
  for (const o of facts.orders ?? []) {
    await connection.run(
      `INSERT INTO orders VALUES ($orderId, $customerId, $placedAt::TIMESTAMPTZ, 'EUR', NULL, $address, $payment, $device, NULL, 'e')`,
      { orderId: o.orderId, customerId: o.customerId, placedAt: o.placedAt, address: o.addressHash ?? null, payment: o.paymentFingerprint ?? null, device: o.deviceId ?? null },
    );
  }
  for (const l of facts.lines ?? []) {
    await connection.run(
      `INSERT INTO order_lines VALUES ($orderId, $lineId, $customerId, $productId, NULL, $category, $quantity, $unitPrice, 'EUR', $size, NULL, $placedAt::TIMESTAMPTZ, 'e')`,
      { orderId: l.orderId, lineId: l.lineId, customerId: l.customerId, productId: l.productId, category: l.category ?? 'apparel', quantity: l.quantity ?? 1, unitPrice: l.unitPrice, size: l.size ?? null, placedAt: l.placedAt },
    );
  }
  for (const d of facts.deliveries ?? []) {
    await connection.run(`INSERT INTO deliveries VALUES ($orderId, $customerId, $lineId, $deliveredAt::TIMESTAMPTZ, 'e')`, {
      orderId: d.orderId, customerId: d.customerId, lineId: d.lineId ?? null, deliveredAt: d.deliveredAt,
    });
  }
  for (const r of facts.returns ?? []) {
    await connection.run(`INSERT INTO return_requests VALUES ($returnId, $orderId, $customerId, $requestedAt::TIMESTAMPTZ, 'mail', 'refund', 'e')`, {
      returnId: r.returnId, orderId: r.orderId, customerId: r.customerId, requestedAt: r.requestedAt,
    });
    for (const line of r.lines) {
      await connection.run(`INSERT INTO return_lines VALUES ($returnId, $orderId, $customerId, $lineId, $productId, $quantity, $reason, NULL, $requestedAt::TIMESTAMPTZ, 'e')`, {
        returnId: r.returnId, orderId: r.orderId, customerId: r.customerId, lineId: line.lineId, productId: line.productId, quantity: line.quantity ?? 1, reason: line.reason, requestedAt: r.requestedAt,
      });
    }
  }
  for (const r of facts.receipts ?? []) {
    await connection.run(`INSERT INTO return_receipts VALUES ($returnId, $lineId, $quantity, $receivedAt::TIMESTAMPTZ, $weightGrams, 'e')`, {
      returnId: r.returnId, lineId: r.lineId, quantity: r.quantity ?? 1, receivedAt: r.receivedAt, weightGrams: r.weightGrams ?? null,
    });
  }
  for (const i of facts.inspections ?? []) {
    await connection.run(`INSERT INTO inspections VALUES ($returnId, $lineId, $inspectedAt::TIMESTAMPTZ, $condition, $fault, 'restock', 'e')`, {
      returnId: i.returnId, lineId: i.lineId, inspectedAt: i.inspectedAt, condition: i.condition, fault: i.fault ?? null,
    });
  }
  for (const f of facts.refunds ?? []) {
    await connection.run(`INSERT INTO refunds VALUES ($refundId, $returnId, $orderId, $customerId, $issuedAt::TIMESTAMPTZ, $amount, 'EUR', 'original_payment', 'e')`, {
      refundId: f.refundId, returnId: f.returnId ?? null, orderId: f.orderId, customerId: f.customerId, issuedAt: f.issuedAt, amount: f.amount,
    });
  }
  for (const c of facts.claims ?? []) {
    await connection.run(`INSERT INTO claims VALUES ($claimId, $orderId, $customerId, $openedAt::TIMESTAMPTZ, $kind, 'e')`, {
      claimId: c.claimId, orderId: c.orderId, customerId: c.customerId, openedAt: c.openedAt, kind: c.kind ?? 'not_received',
    });
  }
  for (const d of facts.decisions ?? []) {
    await connection.run(`INSERT INTO risk_decisions VALUES ($decisionId, $customerId, $flagId, $decidedAt::TIMESTAMPTZ, 'reviewer', $verdict, $fraudType, NULL, 'e')`, {
      decisionId: d.decisionId, customerId: d.customerId, flagId: d.flagId ?? null, decidedAt: d.decidedAt, verdict: d.verdict, fraudType: d.fraudType ?? null,
    });
  }
}
