/**
 * Which review decision counts. A flag may carry several `risk.decision` events: the first verdict
 * and its corrections (each a new event, POST /v1/flags/{id}/decision with `supersedes`), or
 * decisions another publisher sent for the same flag. The rule, shared by the API, the risk job and
 * training: **the latest decision on a flag is its verdict** — latest by `decided_at`, ties broken by
 * the greater `decision_id` (so every reader picks the same one, whatever order the events came in).
 */

/** ORDER BY fragment over `risk_decisions` columns: the verdict that counts first. */
export const LATEST_DECISION_FIRST = 'decided_at DESC, decision_id DESC';

/** A flag's decisions form one group; a decision without a flag stands alone (its own id is its group). */
const DECISION_GROUP = 'flag_id, CASE WHEN flag_id IS NULL THEN decision_id END';

/**
 * The decisions training reads as labels (`customer_id`, `verdict`, `reviewed_at`): one row per flag — the
 * verdict of its latest decision, dated when the flag was first decided (a correction changes what
 * the review concluded, not when the review happened, so a corrected label stays in the same
 * snapshots and the same side of the time split) — and one row per decision that names no flag.
 */
export const EFFECTIVE_DECISIONS = `(
  SELECT customer_id, verdict, reviewed_at FROM (
    SELECT customer_id, verdict,
      min(decided_at) OVER (PARTITION BY ${DECISION_GROUP}) AS reviewed_at,
      row_number() OVER (PARTITION BY ${DECISION_GROUP} ORDER BY ${LATEST_DECISION_FIRST}) AS latest_rank
    FROM risk_decisions
  ) WHERE latest_rank = 1
)`;
