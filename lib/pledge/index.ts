/**
 * The pledge book (contracts/pledge): the client (contract helpers and the daily valuation, for tasks and
 * scripts), the reference calculator, its vector files, the audit replayer and the notification parties.
 */
export * from "./client";
export * from "./calc";
export * from "./vectors";
export * from "./replay";
export * from "./parties";
// Both the client and the calculator name their terms `PledgeTerms`: here it is the client's (on-chain terms).
export type { PledgeTerms } from "./client";
