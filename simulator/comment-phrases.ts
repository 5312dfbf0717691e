/**
 * Free-text phrases customers write: return comments by reason, the issue words of defect
 * episodes per category (they surface as "top comment words" in quality alerts), and feedback.
 */
import type { ReturnReason } from '../domain/events/vocabulary.ts';

export const RETURN_COMMENTS: Readonly<Partial<Record<ReturnReason, readonly string[]>>> = {
  'fit.too_small': ['runs small', 'too tight around the shoulders', 'size up', 'tight fit'],
  'fit.too_large': ['runs large', 'too loose', 'size down', 'sleeves too long'],
  'preference.style': ['did not suit me', 'colour looks different in person', 'not my style'],
  'preference.changed_mind': ['no longer needed', 'changed my mind', 'bought elsewhere'],
  'preference.better_price': ['cheaper elsewhere', 'price dropped after I bought it'],
  'preference.ordered_by_mistake': ['ordered the wrong one', 'duplicate order'],
  'description.not_as_described': ['not as pictured', 'different material than described', 'smaller than described'],
  'quality.defective': ['stopped working', 'does not turn on', 'broken on arrival', 'faulty'],
  'quality.poor_quality': ['cheap material', 'feels flimsy', 'poor stitching'],
  'quality.missing_parts': ['parts missing', 'no charger in the box', 'screws missing'],
  'logistics.arrived_damaged': ['box crushed', 'arrived broken', 'damaged in transit'],
  'logistics.wrong_item_sent': ['received a different item', 'wrong colour sent', 'wrong size sent'],
  'logistics.arrived_late': ['arrived too late for the event', 'took two weeks'],
  other: ['see notes', 'gift not wanted'],
};

export const EPISODE_ISSUES: Readonly<Record<string, readonly string[]>> = {
  apparel: ['seam splits after one wash', 'zip breaks', 'colour runs in the wash'],
  shoes: ['sole comes off', 'heel cracks', 'stitching comes loose'],
  electronics: ['battery drains overnight', 'screen flickers', 'does not charge', 'overheats'],
  home: ['handle snaps', 'lid leaks', 'coating peels off'],
  beauty: ['pump broken', 'leaking bottle', 'causes a rash'],
  sports: ['strap snaps', 'valve leaks', 'buckle breaks'],
  toys: ['battery cover breaks', 'pieces do not fit'],
  books_media: ['pages missing', 'disc does not play'],
  jewellery: ['clasp breaks', 'plating wears off'],
};

export const FEEDBACK_COMMENTS = {
  good: ['quick and easy', 'refund was fast', 'no hassle', 'great service'],
  middling: ['took a while', 'ok in the end', 'label was hard to print'],
  bad: ['refund took far too long', 'still waiting for my money', 'return rejected unfairly', 'nobody answered my emails'],
} as const;
