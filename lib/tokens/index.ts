/** Security and cash tokens, the token factory and DvP settlement (contracts/token, contracts/settlement): the client. */
export * from "./client";
