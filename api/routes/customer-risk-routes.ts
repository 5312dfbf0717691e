/**
 * The hot read paths: a customer's risk and the real-time score of a proposed return. Both answer
 * from the in-memory snapshot Map (no DuckDB per request; see DESIGN.md "API").
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { DEFAULT_PROPOSED_RETURN_POLICY, scoreProposedReturn, type ProposedReturnPolicy } from '../../models/risk/score-proposed-return.ts';
import type { RiskTierThresholds } from '../../models/risk/risk-tier.ts';
import type { RiskSnapshotHolder } from '../risk-snapshot-holder.ts';
import { roundScore } from '../round-score.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { typeboxValidatorCompiler } from '../plugins/typebox-validator.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { CustomerParams, CustomerRisk, ScoreRequest, ScoreResponse } from '../schemas/risk-schemas.ts';

export function registerCustomerRiskRoutes(
  app: FastifyInstance,
  options: { riskSnapshots: RiskSnapshotHolder; thresholds: RiskTierThresholds; highValue: Pick<ProposedReturnPolicy, 'highValue' | 'highValueByCurrency'> },
): void {
  const policy: ProposedReturnPolicy = Object.freeze({ ...DEFAULT_PROPOSED_RETURN_POLICY, thresholds: options.thresholds, ...options.highValue });
  app.get<{ Params: Static<typeof CustomerParams> }>(
    '/v1/customers/:customerId/risk',
    {
      config: { permission: 'customer-risk:read' },
      schema: {
        tags: ['risk'],
        summary: "A customer's latest fraud risk: score, tier, reasons, model version, linked accounts",
        security: [{ apiKey: [] }],
        params: CustomerParams,
        response: { 200: okResponse(CustomerRisk, 'The latest score (status unscored when none could be computed)'), ...problemResponses(...AUTHENTICATED_PROBLEMS, [404, 'No risk score for this customer: unknown, or no activity since the last risk run (POST /v1/risk/score answers such a customer unscored, with a cautious decision)']) },
      },
    },
    async (request) => {
      const snapshot = options.riskSnapshots.get().get(request.params.customerId);
      if (snapshot === undefined) {
        throw new RetourError('RETOUR_NOT_FOUND', `no risk score for customer ${JSON.stringify(request.params.customerId)}: unknown, or no activity since the last risk run`);
      }
      // The snapshot itself, not a copy: the response schema's serializer writes only the
      // CustomerRisk fields (the request-time features stay in memory), without a per-request copy.
      // Only a score with more than 4 decimals costs a copy, rounded as POST /v1/risk/score rounds,
      // or a flag decided since the last risk run (it is no longer open).
      const score = roundScore(snapshot.score);
      const openFlagId = options.riskSnapshots.openFlagIdOf(snapshot);
      return score === snapshot.score && openFlagId === snapshot.openFlagId ? snapshot : { ...snapshot, score, openFlagId };
    },
  );

  app.post<{ Body: Static<typeof ScoreRequest> }>(
    '/v1/risk/score',
    {
      config: { permission: 'risk:score' },
      validatorCompiler: typeboxValidatorCompiler,
      schema: {
        tags: ['risk'],
        summary: 'Real-time decision for a return a customer is starting: approve, inspect before refund, review or decline',
        security: [{ apiKey: [] }],
        body: ScoreRequest,
        response: { 200: okResponse(ScoreResponse, 'The decision and why'), ...problemResponses(...AUTHENTICATED_PROBLEMS, 413, 415) },
      },
    },
    async (request) => {
      const body = request.body;
      const result = scoreProposedReturn(options.riskSnapshots.withLatestReview(options.riskSnapshots.get().get(body.customerId)), body, policy);
      return { customerId: body.customerId, status: result.status, score: roundScore(result.score), decision: result.decision, reasons: result.reasons, modelVersion: result.modelVersion };
    },
  );
}
