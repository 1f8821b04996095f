/** Shared exact money math: rationals, day counts and coupons, the vector-file reader. */
export * from "./rational";
export * from "./daycount";
export * from "./vectors";
