/** The participant registry (contracts/access): the client. */
export * from "./client";
