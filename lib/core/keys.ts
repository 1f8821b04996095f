import fs from "node:fs";
import { HDNodeWallet, Wallet, isCrowdsaleJson, isKeystoreJson } from "ethers";
import { UserError } from "./cli";

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

/** What a keystore decrypts to: a plain key (`Wallet`) or a key with its mnemonic (`HDNodeWallet`). */
export type KeystoreWallet = Wallet | HDNodeWallet;

/**
 * Decrypts an encrypted JSON keystore file of any kind ethers writes (with or without a mnemonic) or
 * reads (crowdsale); the key is never printed. Each failure says which one it is: the file cannot be
 * read, it is not a keystore, the password is wrong, or the keystore is damaged.
 */
export function decryptKeystoreFile(file: string, password: string): KeystoreWallet {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a folder" : code;
    throw new UserError(`keystore ${file} cannot be read (${why ?? (e as Error).message})`);
  }
  return decryptKeystoreJson(json, password, `keystore ${file}`);
}

/** Decrypts keystore JSON text; `what` names it in errors. */
export function decryptKeystoreJson(json: string, password: string, what = "keystore"): KeystoreWallet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new UserError(`${what} is not an encrypted JSON keystore (not JSON)`);
  }
  if (!isKeystoreJson(json) && !isCrowdsaleJson(json)) {
    const kind = parsed !== null && typeof parsed === "object" ? "JSON without a keystore's crypto section" : "not a JSON object";
    throw new UserError(`${what} is not an encrypted JSON keystore (${kind})`);
  }
  let wallet: unknown;
  try {
    wallet = Wallet.fromEncryptedJsonSync(json, password);
  } catch (e) {
    const message = (e as Error).message ?? "";
    if (/incorrect password/i.test(message)) throw new UserError(`${what}: wrong password`);
    throw new UserError(`${what} is damaged and cannot be decrypted (${message.split(" (")[0]})`);
  }
  if (!(wallet instanceof Wallet) && !(wallet instanceof HDNodeWallet)) throw new UserError(`${what} did not decrypt to a key`);
  return wallet;
}
