import { RetourError } from '../../domain/errors/retour-error.ts';
import { trainingLabelPolicyOf, trainRiskModel } from '../../jobs/risk/train-risk-model.ts';
import { decideManualPromotion } from '../../models/risk/decide-manual-promotion.ts';
import { openDatabase } from '../../store/open-database.ts';
import { featureOptionsOf } from '../../store/risk/compute-customer-features.ts';
import { comparedFiguresOf, findModel, listModels, listPromotionHistory, promoteModel, promotionFiguresOf, readServingVersion, type PromotionHistoryEntry } from '../../store/risk/model-registry.ts';
import { appendAuditEntry } from '../../store/api/audit-log.ts';
import { cliActor } from '../cli-actor.ts';
import type { Command } from '../command.ts';
import { parseTimeOption } from '../time-option.ts';

function positiveInteger(name: string, value: string | boolean | string[] | boolean[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(number) || number < 1) throw new RetourError('RETOUR_USAGE', `--${name} must be a positive integer; got ${JSON.stringify(value)}`);
  return number;
}

function figure(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

/** One line of `retour model history`. */
function describeHistoryEntry(entry: PromotionHistoryEntry): string {
  const { candidate, serving } = entry.compared;
  const compared = `PR-AUC ${figure(candidate.prAuc)}, ROC-AUC ${figure(candidate.rocAuc)}` +
    (serving === null ? '' : ` vs ${serving.version}'s ${figure(serving.prAuc)}, ${figure(serving.rocAuc)}`);
  const outcome = entry.promoted ? `promoted${entry.forced ? ' (forced)' : ''}${entry.previousVersion === null ? '' : `, replacing ${entry.previousVersion}`}` : 'not promoted';
  return `${entry.decidedAt}  ${entry.version}  ${outcome}  by ${entry.decidedBy} (${entry.source})  ${compared}: ${entry.reason}`;
}

export const modelCommand: Command = {
  name: 'model',
  summary: 'Fraud model lifecycle: train (time split, registry), list, promote, history of promotion decisions',
  whileServing: 'While retour serve runs, an admin key does this over HTTP: GET /v1/models, POST /v1/models/train, POST /v1/models/{version}/promote',
  usage:
    'model train [--now TIMESTAMP] [--no-promote] [--horizon-days N] [--max-rows N] [--force] [--json]\n       retour model list [--json]\n       retour model promote VERSION [--force]\n' +
    '       retour model history [VERSION] [--json]',
  options: {
    now: { type: 'string', valueName: 'TIMESTAMP', description: 'Train as of this RFC 3339 time; a later one than the last stored order (the default) trains as of that order' },
    'no-promote': { type: 'boolean', description: 'Register the new model as a candidate only' },
    'horizon-days': { type: 'string', valueName: 'N', description: 'Label horizon in days (default 60)' },
    'max-rows': { type: 'string', valueName: 'N', description: 'Most training rows, all positives kept (default 100000)' },
    force: { type: 'boolean', description: 'promote: put the model in service even if it is not shown to be at least as good; train: train even on unchanged data (e.g. after upgrading Retour)' },
    json: { type: 'boolean', description: 'Print JSON' },
  },
  details: [
    'train: labelled snapshots (fraud/abuse verdicts and X_not_declared_item inspections in the next N days), a training period and',
    'the following validation period, point-in-time features, a histogram random forest in a worker thread; ROC-AUC, PR-AUC,',
    'precision@k, Brier and calibration go to model_registry. The model is promoted only if it is not worse than the one in',
    'service on the same validation rows. The next `retour jobs run risk` scores with the serving model.',
    'When a registered model was trained on the same rows and settings (no new labels or data) and already judged against',
    'the model in service, nothing is trained: the command says which model and exits 0 (--json: {"unchanged": true, ...}).',
    'The digest covers the rows and settings, not the training code: after upgrading Retour, `model train --force` trains anyway.',
    'Fewer positive rows than RETOUR_TRAIN_MIN_TRAINING_POSITIVES (40) in training or RETOUR_TRAIN_MIN_VALIDATION_POSITIVES (50)',
    'in validation: no model is trained or registered, and the command exits 1 saying which period lacks how many.',
    'While `retour serve` runs (it holds the database), the same training is its train job (RETOUR_TRAIN_EVERY), and an',
    'admin key starts it with POST /v1/models/train, lists with GET /v1/models and promotes with POST /v1/models/VERSION/promote.',
    'history: every promotion decision, oldest first (after each training, each operator promotion, forced or not): when, who,',
    'promoted or not and why, the model it replaced and the PR-AUC / ROC-AUC compared; with VERSION, the decisions on that',
    'model and the promotion that retired it. `model list --json` gives each model its decisions (`promotions`).',
  ].join('\n'),
  async run(context) {
    const [verb, version, ...extra] = context.positionals;
    const valid =
      ((verb === 'train' || verb === 'list') && version === undefined) || (verb === 'promote' && version !== undefined && extra.length === 0) || (verb === 'history' && extra.length === 0);
    // Before opening the database: a usage mistake must not read "database in use" while `serve` runs.
    if (!valid) {
      // Say what is wrong before the usage: "model promote" alone printed only the three usage lines.
      const problem =
        verb === 'promote' && version === undefined
          ? 'model promote needs the VERSION to promote (retour model list shows them)\n'
          : verb !== undefined && verb !== 'train' && verb !== 'list' && verb !== 'promote' && verb !== 'history'
            ? `unknown model command ${JSON.stringify(verb)}; one of train, list, promote, history\n`
            : '';
      throw new RetourError('RETOUR_USAGE', `${problem}usage: retour ${modelCommand.usage}`);
    }
    const nowOption = context.options['now'];
    const now = typeof nowOption === 'string' ? parseTimeOption('now', nowOption) : undefined;
    const horizonDays = positiveInteger('horizon-days', context.options['horizon-days']);
    const maxTrainingRows = positiveInteger('max-rows', context.options['max-rows']);
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      const json = context.options['json'] === true;
      if (verb === 'train' && version === undefined) {
        const result = await trainRiskModel(connection, {
          ...(now === undefined ? {} : { now }),
          ...(horizonDays === undefined ? {} : { horizonDays }),
          ...(maxTrainingRows === undefined ? {} : { maxTrainingRows }),
          promote: context.options['no-promote'] !== true,
          trainOnUnchangedData: context.options['force'] === true,
          // The configured return window and no-receipt days, as the risk job that scores with the model uses them.
          featureOptions: featureOptionsOf(context.config),
          labelPolicy: trainingLabelPolicyOf(context.config),
          decidedBy: `cli:${cliActor().keyName}`,
          signal: context.signal,
          log: (message) => context.stderr.write(`${message}\n`),
        });
        if (json) context.stdout.write(`${JSON.stringify(result)}\n`);
        // Nothing new to learn from: not an error, nothing registered, no rescoring.
        else if ('unchanged' in result) context.stdout.write(`not trained: ${result.reason}\n`);
        else {
          const m = result.metrics;
          context.stdout.write(
            `${result.version}: ROC-AUC ${m.roc_auc.toFixed(4)}, PR-AUC ${m.pr_auc.toFixed(4)}, precision@1% ${m.precision_at_k.top_1_percent.toFixed(3)}, ` +
              `Brier ${m.brier.toFixed(4)} on ${m.rows.validation} validation rows (${m.rows.training} training rows, ${result.trainingSeconds.toFixed(1)} s)\n` +
              `${result.promotion.promote ? 'promoted' : 'not promoted'}: ${result.promotion.reason}\n`,
          );
        }
        return 0;
      }
      if (verb === 'list' && version === undefined) {
        const models = await listModels(connection);
        if (json) {
          // Each model with every promotion decision on it, oldest first (model_promotions).
          const history = await listPromotionHistory(connection);
          context.stdout.write(`${JSON.stringify(models.map((model) => ({ ...model, promotions: history.filter((entry) => entry.version === model.version) })))}\n`);
        }
        else if (models.length === 0) context.stdout.write('no models yet (retour model train)\n');
        else {
          for (const model of models) {
            context.stdout.write(
              `${model.version.padEnd(30)} ${model.status.padEnd(9)} ${model.createdAt}  ROC-AUC ${model.metrics.roc_auc.toFixed(4)}  PR-AUC ${model.metrics.pr_auc.toFixed(4)}  ` +
                // What the figures rest on: positive rows in training / validation (docs/risk.md § Too few labels).
                `positives ${model.metrics.rows.training_positive}/${model.metrics.rows.validation_positive}  ` +
                `train ${model.trainingWindowStart.slice(0, 10)}…${model.trainingWindowEnd.slice(0, 10)}  validate ${model.validationWindowStart.slice(0, 10)}…${model.validationWindowEnd.slice(0, 10)}\n`,
            );
          }
        }
        return 0;
      }
      if (verb === 'history' && extra.length === 0) {
        const history = await listPromotionHistory(connection, version);
        if (version !== undefined && history.length === 0 && (await findModel(connection, version)) === undefined) {
          throw new RetourError('RETOUR_NOT_FOUND', `no model ${version} in the registry (retour model list)`);
        }
        if (json) context.stdout.write(`${JSON.stringify(history)}\n`);
        else if (history.length === 0) context.stdout.write(version === undefined ? 'no promotion decisions yet (retour model train)\n' : `no promotion decision on ${version} yet\n`);
        else for (const entry of history) context.stdout.write(`${describeHistoryEntry(entry)}\n`);
        return 0;
      }
      if (verb === 'promote' && version !== undefined && extra.length === 0) {
        const candidate = await findModel(connection, version);
        if (candidate === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no model ${version} in the registry (retour model list)`);
        const servingVersion = await readServingVersion(connection);
        const promotion = decideManualPromotion({ ...promotionFiguresOf(candidate), force: context.options['force'] === true }, servingVersion, trainingLabelPolicyOf(context.config));
        if (promotion.outcome === 'already_serving') {
          context.stdout.write(`${version} is already serving\n`);
          return 0;
        }
        if (promotion.outcome === 'refused') {
          context.stderr.write(`not promoted: ${promotion.reason} (use --force to override)\n`);
          return 1;
        }
        const at = new Date();
        // Audited as POST /v1/models/{version}/promote is, with the CLI as the actor.
        const actor = cliActor();
        await promoteModel(connection, {
          record: {
            version,
            decidedAt: at,
            forced: promotion.forced,
            decidedBy: `cli:${actor.keyName}`,
            reason: promotion.decision.reason,
            previousVersion: servingVersion ?? null,
            compared: comparedFiguresOf(candidate),
          },
          alsoRecord: () =>
            appendAuditEntry(connection, { occurredAt: at, actor, action: 'model.promote', target: version, details: { reason: promotion.decision.reason, forced: promotion.forced, previousVersion: servingVersion ?? null } }),
        });
        context.stdout.write(`${version} is now serving (${promotion.decision.reason})\n`);
        return 0;
      }
      throw new RetourError('RETOUR_USAGE', `usage: retour ${modelCommand.usage}`);
    } finally {
      database.close();
    }
  },
};
