import type { DuckDBConnection } from '@duckdb/node-api';
import type { TruthCustomer, TruthFraudulentClaim, TruthFraudulentReturn } from '../../simulator/simulation-truth.ts';

/**
 * Writes the simulator's truth about customers and fraudulent acts next to the facts, for analysis
 * of a kept eval database (`npm run eval -- risk --database FILE`): which return or claim was
 * fraudulent, joined to its inspection, parcel or refund. Tables (replaced if present):
 *
 * - `eval_truth_customers (customer_id, behaviour, fraud_type, ring_id)`
 * - `eval_truth_fraudulent_returns (return_id, customer_id, fraud_type, requested_at, caught_at_inspection)`
 * - `eval_truth_fraudulent_claims (claim_id, customer_id, fraud_type, opened_at)`
 *
 * Nothing in the pipeline reads them; they exist only in a database the eval was told to keep.
 */
export async function writeTruthTables(
  connection: DuckDBConnection,
  truth: { customers: readonly TruthCustomer[]; fraudulentReturns: readonly TruthFraudulentReturn[]; fraudulentClaims: readonly TruthFraudulentClaim[] },
): Promise<void> {
  await connection.run(`
    CREATE OR REPLACE TABLE eval_truth_customers (customer_id VARCHAR NOT NULL, behaviour VARCHAR NOT NULL, fraud_type VARCHAR, ring_id VARCHAR);
    CREATE OR REPLACE TABLE eval_truth_fraudulent_returns (return_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, fraud_type VARCHAR NOT NULL, requested_at TIMESTAMPTZ NOT NULL, caught_at_inspection BOOLEAN NOT NULL);
    CREATE OR REPLACE TABLE eval_truth_fraudulent_claims (claim_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, fraud_type VARCHAR NOT NULL, opened_at TIMESTAMPTZ NOT NULL)`);
  const appendVarcharOrNull = (appender: Awaited<ReturnType<DuckDBConnection['createAppender']>>, value: string | undefined): void => {
    if (value === undefined) appender.appendNull();
    else appender.appendVarchar(value);
  };
  const customers = await connection.createAppender('eval_truth_customers');
  try {
    for (const customer of truth.customers) {
      customers.appendVarchar(customer.customerId);
      customers.appendVarchar(customer.behaviour);
      appendVarcharOrNull(customers, customer.fraudType);
      appendVarcharOrNull(customers, customer.ringId);
      customers.endRow();
    }
    customers.flushSync();
  } finally {
    customers.closeSync();
  }
  // Times go through a VARCHAR column and one cast, so the ISO strings of the truth need no parsing here.
  await connection.run('CREATE OR REPLACE TEMP TABLE eval_truth_returns_text (return_id VARCHAR, customer_id VARCHAR, fraud_type VARCHAR, requested_at VARCHAR, caught_at_inspection BOOLEAN)');
  const returns = await connection.createAppender('eval_truth_returns_text');
  try {
    for (const act of truth.fraudulentReturns) {
      returns.appendVarchar(act.returnId);
      returns.appendVarchar(act.customerId);
      returns.appendVarchar(act.fraudType);
      returns.appendVarchar(act.requestedAt);
      returns.appendBoolean(act.caughtAtInspection);
      returns.endRow();
    }
    returns.flushSync();
  } finally {
    returns.closeSync();
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE eval_truth_claims_text (claim_id VARCHAR, customer_id VARCHAR, fraud_type VARCHAR, opened_at VARCHAR)');
  const claims = await connection.createAppender('eval_truth_claims_text');
  try {
    for (const act of truth.fraudulentClaims) {
      claims.appendVarchar(act.claimId);
      claims.appendVarchar(act.customerId);
      claims.appendVarchar(act.fraudType);
      claims.appendVarchar(act.openedAt);
      claims.endRow();
    }
    claims.flushSync();
  } finally {
    claims.closeSync();
  }
  await connection.run(`
    INSERT INTO eval_truth_fraudulent_returns SELECT return_id, customer_id, fraud_type, requested_at::TIMESTAMPTZ, caught_at_inspection FROM eval_truth_returns_text;
    INSERT INTO eval_truth_fraudulent_claims SELECT claim_id, customer_id, fraud_type, opened_at::TIMESTAMPTZ FROM eval_truth_claims_text;
    DROP TABLE eval_truth_returns_text;
    DROP TABLE eval_truth_claims_text`);
}
