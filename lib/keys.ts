import fs from "node:fs";
import { Wallet } from "ethers";

/**
 * Accounts for the `besu` network, read from the environment (see .env.example):
 * - BESU_PRIVATE_KEY: a hex private key, or
 * - BESU_KEYSTORE (+ BESU_KEYSTORE_PASSWORD): an encrypted JSON keystore.
 * The keystore is decrypted only when the besu network is selected, because scrypt is slow.
 */
export function besuAccounts(): string[] {
  if (process.env.BESU_PRIVATE_KEY) return [process.env.BESU_PRIVATE_KEY];
  const selected = process.env.HARDHAT_NETWORK === "besu" || process.argv.join(" ").includes("--network besu");
  if (!selected || !process.env.BESU_KEYSTORE) return [];
  return [decryptKeystoreFile(process.env.BESU_KEYSTORE, process.env.BESU_KEYSTORE_PASSWORD ?? "").privateKey];
}

/** Decrypts an encrypted JSON keystore file; the key is never printed. */
export function decryptKeystoreFile(file: string, password: string): Wallet {
  const json = fs.readFileSync(file, "utf8");
  const wallet = Wallet.fromEncryptedJsonSync(json, password);
  if (!(wallet instanceof Wallet)) throw new Error(`keystore ${file} did not decrypt to a wallet`);
  return wallet;
}
