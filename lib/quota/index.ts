/** The quota registry (contracts/quota): the client (keys, amounts, Reg CF limits, committed batches) and the sequential model. */
export * from "./client";
export * from "./model";
