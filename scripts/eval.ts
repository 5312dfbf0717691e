/** `npm run eval -- NAME`: detection and model evaluations on simulator seeds not used in development. */
import { runNamedSuite, type SuiteEntry } from './run-named-suite.ts';

const EVALUATIONS: Record<string, SuiteEntry> = {
  quality: { module: 'eval/quality-eval.ts', exportName: 'runQualityEval', summary: 'defect-episode detection rate, delay and false alarms' },
  risk: { module: 'eval/risk-eval.ts', exportName: 'runRiskEval', summary: 'fraud model ROC-AUC, PR-AUC, precision@1%, per fraud type' },
  ops: { module: 'eval/ops-eval.ts', exportName: 'runOpsEval', summary: 'refund exception recall and precision per kind' },
};

process.exitCode = await runNamedSuite('eval', EVALUATIONS, process.argv.slice(2));
