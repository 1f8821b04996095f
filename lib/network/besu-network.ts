import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { SigningKey, Wallet, computeAddress, encodeRlp, getAddress, isAddress, zeroPadValue } from "ethers";
import { genesisAlloc } from "./besu";

export const VALIDATOR_IPS = ["172.16.240.11", "172.16.240.12", "172.16.240.13", "172.16.240.14"];
export const P2P_PORT = 30303;

export interface Validator {
  name: string;
  address: string;
  enodeId: string;
  enode: string;
}

/**
 * QBFT genesis extraData: RLP([32-byte vanity, [validators], no vote, round 0, no seals]), the layout
 * `besu rlp encode --type=QBFT_EXTRA_DATA` writes.
 */
export function qbftExtraData(validators: string[]): string {
  return encodeRlp([zeroPadValue("0x", 32), validators.map((v) => getAddress(v).toLowerCase()), [], "0x", []]);
}

/** Enode id of a node key: the uncompressed public key without its 0x04 prefix. */
export function enodeIdOf(privateKey: string): string {
  return new SigningKey(privateKey).publicKey.slice(4);
}

export interface DevNetworkOptions {
  outDir: string;
  /** Account prefunded in genesis, admin of the ingresses and deployer of the suite. */
  deployer: string;
  chainId?: number;
  /** Existing node keys to reuse (hex), else fresh random keys. */
  nodeKeys?: string[];
}

/**
 * Writes everything a 4-validator QBFT dev network needs: node keys, genesis.json (extraData from the
 * validator addresses, the ingresses pre-deployed, the deployer funded) and config.toml with every
 * validator as a bootnode; for current Besu also config-local.toml, the initial permissions_config.toml
 * and the nodes.json the allowlist sync reads. Node keys are secrets: the folder is git-ignored.
 */
export async function writeDevNetwork(
  hre: HardhatRuntimeEnvironment,
  opts: DevNetworkOptions,
): Promise<{ validators: Validator[]; genesisFile: string }> {
  if (!isAddress(opts.deployer)) throw new Error(`deployer "${opts.deployer}" is not an address`);
  const root = path.resolve(__dirname, "..", "..", "besu");
  const keys = opts.nodeKeys ?? VALIDATOR_IPS.map(() => Wallet.createRandom().privateKey);
  const validators: Validator[] = keys.map((key, i) => {
    const enodeId = enodeIdOf(key);
    return { name: `node${i + 1}`, address: computeAddress(key), enodeId, enode: `enode://${enodeId}@${VALIDATOR_IPS[i]}:${P2P_PORT}` };
  });

  for (const [i, v] of validators.entries()) {
    const dir = path.join(opts.outDir, "keys", v.name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "key"), keys[i].slice(2), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "key.pub"), "0x" + v.enodeId);
  }

  const genesis = JSON.parse(fs.readFileSync(path.join(root, "genesis.template.json"), "utf8"));
  genesis.config.chainId = opts.chainId ?? genesis.config.chainId;
  genesis.extraData = qbftExtraData(validators.map((v) => v.address));
  genesis.alloc = {
    [getAddress(opts.deployer).slice(2).toLowerCase()]: { balance: "0x3635C9ADC5DEA00000" },
    ...(await genesisAlloc(hre, opts.deployer)),
  };
  const configDir = path.join(opts.outDir, "config");
  fs.mkdirSync(configDir, { recursive: true });
  const genesisFile = path.join(configDir, "genesis.json");
  fs.writeFileSync(genesisFile, JSON.stringify(genesis, null, 2) + "\n");

  const toml = fs
    .readFileSync(path.join(root, "config", "config.toml"), "utf8")
    .replace(/^bootnodes=.*$/m, `bootnodes=[${validators.map((v) => `"${v.enode}"`).join(",")}]`);
  fs.writeFileSync(path.join(configDir, "config.toml"), toml);

  // Current Besu (local permissioning, besu/local-permissioning/): the same bootnodes, and the permissions
  // file every node starts with: the deployer and the validators, which the allowlist sync never removes.
  const bootnodes = `bootnodes=[${validators.map((v) => `"${v.enode}"`).join(",")}]`;
  const localToml = fs.readFileSync(path.join(root, "local-permissioning", "config.toml"), "utf8").replace(/^bootnodes=.*$/m, bootnodes);
  fs.writeFileSync(path.join(configDir, "config-local.toml"), localToml);
  fs.writeFileSync(
    path.join(configDir, "permissions_config.toml"),
    [
      "# Initial local allowlists: the deployer and the validators (bootnodes must be listed or Besu does not start).",
      `accounts-allowlist=["${getAddress(opts.deployer).toLowerCase()}"]`,
      `nodes-allowlist=[${validators.map((v) => `"${v.enode}"`).join(",")}]`,
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(opts.outDir, "nodes.json"),
    JSON.stringify(
      {
        nodes: Object.fromEntries(
          validators.map((v, i) => [v.name, { url: `http://127.0.0.1:${8545 + i}`, tokenFile: `jwt/${v.name}.jwt` }]),
        ),
        protected: { accounts: [getAddress(opts.deployer)], nodes: validators.map((v) => v.enode) },
        timeoutMs: 5000,
        retries: 2,
      },
      null,
      2,
    ) + "\n",
  );
  fs.writeFileSync(path.join(opts.outDir, "validators.json"), JSON.stringify(validators, null, 2) + "\n");
  return { validators, genesisFile };
}
