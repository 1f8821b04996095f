/** Reference money-math calculator: exact rationals, day counts, repo revaluation, pledge valuation, vectors. */
export * from "./rational";
export * from "./daycount";
export * from "./repo";
export * from "./pledge";
export * from "./vectors";
