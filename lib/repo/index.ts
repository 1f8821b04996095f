/**
 * The repo book (contracts/repo): the client (contract helpers for tasks and scripts), the reference
 * calculator, its vector files, the daily cycle, the audit replayer and the notification parties. The LTV
 * chart (`./chart`) is imported on its own: it loads ECharts.
 */
export * from "./client";
export * from "./calc";
export * from "./vectors";
export * from "./cycle";
export * from "./replay";
export * from "./parties";
// Both the client and the calculator name their terms `RepoTerms`: here it is the client's (on-chain terms).
export type { RepoTerms } from "./client";
