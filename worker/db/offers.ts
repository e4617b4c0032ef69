/**
 * Queries of the offer engine, in raw SQL on a guarded D1 handle: the hot paths (quote,
 * listing, checkout) are single batches whose statements are chosen by hand, and every limit
 * is enforced by conditional writes inside one batch (one transaction), never read-then-write.
 */

export type { D1 } from './guard';
import type { D1 } from './guard';

// Handles, rows and the offer aggregate's admin reads moved out; re-exported for the
// checkout code below and its callers.
export { primaryD1 as primaryDb, replicaD1 as replicaDb } from './handles';
export * from './offer-rows';
export { DEFINITIONS_VERSION_SQL, definitionsVersionSql, getOffer, listOffers, liveOffersForPlan, loadCoverage, offerStats } from './offer-queries';

// ---------------------------------------------------------------------------------------------
// Quote and checkout
// ---------------------------------------------------------------------------------------------
// The redemption reads (one implementation for quote and checkout) are in ./redemption-reads,
// the checkout's write batch in ./checkout-write, every subscription write in ./subscriptions
// and the billing hooks' batches in ./billing-hooks.
export { readForQuote, redemptionFacts, type RedemptionReads } from './redemption-reads';
