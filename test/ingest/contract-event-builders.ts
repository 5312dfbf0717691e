/** Small builders of valid v1 events for ingest tests; each returns the event object (stringify to send). */
export function envelope(type: string, id: string, data: Record<string, unknown>, time = '2026-03-01T10:00:00Z'): Record<string, unknown> {
  return { specversion: '1.0', id, source: 'test', type, time, subject: String(data['orderId'] ?? data['returnId'] ?? id), datacontenttype: 'application/json', data };
}

export function orderPlaced(id: string, orderId: string, lines: { lineId: string; quantity: number; unitPrice: number }[] = [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }], currency = 'EUR') {
  return envelope('order.placed', id, {
    orderId,
    customerId: 'cus_1',
    placedAt: '2026-03-01T10:00:00Z',
    currency,
    lines: lines.map((line) => ({ ...line, productId: `prd_${line.lineId}`, category: 'apparel', variant: { size: 'M' } })),
  });
}

export function orderDelivered(id: string, orderId: string, lineIds?: string[]) {
  return envelope('order.delivered', id, { orderId, customerId: 'cus_1', deliveredAt: '2026-03-03T10:00:00+01:00', ...(lineIds === undefined ? {} : { lineIds }) });
}

export function returnRequested(id: string, returnId: string, orderId: string) {
  return envelope('return.requested', id, {
    returnId,
    orderId,
    customerId: 'cus_1',
    requestedAt: '2026-03-05T10:00:00Z',
    method: 'mail',
    resolution: 'refund',
    lines: [{ lineId: 'l1', productId: 'prd_l1', quantity: 1, reason: 'fit.too_small', comment: 'tight' }],
  });
}

export function returnInspected(id: string, returnId: string) {
  return envelope('return.inspected', id, {
    returnId,
    inspectedAt: '2026-03-08T10:00:00Z',
    lines: [{ lineId: 'l1', condition: 'A_new', fault: 'none_found', disposition: 'restock' }],
  });
}

export function refundIssued(id: string, orderId: string, amount: number, currency = 'EUR') {
  return envelope('refund.issued', id, {
    refundId: `rfd_${id}`,
    returnId: 'ret_1',
    orderId,
    customerId: 'cus_1',
    issuedAt: '2026-03-09T10:00:00Z',
    amount,
    currency,
    method: 'original_payment',
  });
}

export function claimOpened(id: string, claimId: string, orderId: string) {
  return envelope('claim.opened', id, { claimId, orderId, customerId: 'cus_1', openedAt: '2026-03-06T10:00:00Z', kind: 'not_received' });
}

export function riskDecision(id: string, decisionId: string, verdict = 'fraud') {
  return envelope('risk.decision', id, { decisionId, customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-03-10T10:00:00Z', decidedBy: 'analyst', verdict });
}
