/**
 * The oracle operator's signing key: an encrypted JSON keystore (password from ORACLE_KEYSTORE_PASSWORD
 * or a prompt), or ORACLE_PRIVATE_KEY, or one of the network's configured accounts (`--from`).
 * The key is never printed.
 */
import readline from "node:readline";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Signer, Wallet } from "ethers";
import { decryptKeystoreFile } from "../core/keys";
import { UserError } from "../core/cli";
import { pickSigner } from "../core/suite";
import { simulating } from "../core/tx";

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UserError("no keystore password: set ORACLE_KEYSTORE_PASSWORD (stdin is not a terminal)");
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        process.stdout.write(s);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write("\n");
      resolve(answer);
    });
  });
}

export async function operatorSigner(hre: HardhatRuntimeEnvironment, opts: { keystore?: string; from?: string }): Promise<Signer> {
  if (opts.keystore) {
    const password = process.env.ORACLE_KEYSTORE_PASSWORD ?? (await promptHidden(`password for ${opts.keystore}: `));
    // Plain keys and keys with a mnemonic; the error says whether the file, its format or the password is at fault.
    return simulating(hre, decryptKeystoreFile(opts.keystore, password).connect(hre.ethers.provider));
  }
  if (process.env.ORACLE_PRIVATE_KEY && !opts.from) {
    try {
      return simulating(hre, new Wallet(process.env.ORACLE_PRIVATE_KEY, hre.ethers.provider));
    } catch {
      throw new UserError("ORACLE_PRIVATE_KEY is not a valid private key");
    }
  }
  return pickSigner(hre, opts.from);
}
