import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { HDNodeWallet, Wallet, encryptKeystoreJsonSync } from "ethers";
import { decryptKeystoreFile } from "../../lib/core/keys";
import { operatorSigner } from "../../lib/oracle/signer";

const PASSWORD = "correct horse battery staple";

describe("keystores (lib/core/keys)", function () {
  this.timeout(120_000);
  let dir: string;
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  // The cheap scrypt setting keeps the refusal tests fast; the two acceptance tests use what ethers writes by default.
  const quick = (w: HDNodeWallet) =>
    encryptKeystoreJsonSync(
      { address: w.address, privateKey: w.privateKey, mnemonic: { entropy: w.mnemonic!.entropy, path: w.path!, locale: "en" } },
      PASSWORD,
      { scrypt: { N: 1 << 10 } },
    );

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "csd-keys-"));
  });

  it("accepts a keystore ethers writes for a random wallet (with its mnemonic) and gives back the same key", async function () {
    const wallet = Wallet.createRandom();
    const file = write("mnemonic.json", await wallet.encrypt(PASSWORD));
    const back = decryptKeystoreFile(file, PASSWORD);
    expect(back).to.be.instanceOf(HDNodeWallet);
    expect(back.address).to.equal(wallet.address);
    expect(back.privateKey).to.equal(wallet.privateKey);
  });

  it("accepts a keystore ethers writes for a plain private key", async function () {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const file = write("plain.json", await wallet.encrypt(PASSWORD));
    const back = decryptKeystoreFile(file, PASSWORD);
    expect(back).to.be.instanceOf(Wallet);
    expect(back.address).to.equal(wallet.address);
  });

  it("the oracle operator's --keystore signs with a mnemonic keystore", async function () {
    const wallet = Wallet.createRandom();
    const file = write("operator.json", quick(wallet));
    process.env.ORACLE_KEYSTORE_PASSWORD = PASSWORD;
    try {
      const signer = await operatorSigner(hre, { keystore: file });
      expect(await signer.getAddress()).to.equal(wallet.address);
    } finally {
      delete process.env.ORACLE_KEYSTORE_PASSWORD;
    }
  });

  it("says the password is wrong when it is", function () {
    const file = write("wrong.json", quick(Wallet.createRandom()));
    expect(() => decryptKeystoreFile(file, "not the password")).to.throw(`keystore ${file}: wrong password`);
  });

  it("says a file that is not a keystore is not one", function () {
    const notJson = write("notes.txt", "hello");
    const otherJson = write("other.json", JSON.stringify({ address: "0x00" }));
    expect(() => decryptKeystoreFile(notJson, PASSWORD)).to.throw(`keystore ${notJson} is not an encrypted JSON keystore (not JSON)`);
    expect(() => decryptKeystoreFile(otherJson, PASSWORD)).to.throw(
      `keystore ${otherJson} is not an encrypted JSON keystore (JSON without a keystore's crypto section)`,
    );
  });

  it("says a file that cannot be read cannot be read", function () {
    const missing = path.join(dir, "missing.json");
    expect(() => decryptKeystoreFile(missing, PASSWORD)).to.throw(`keystore ${missing} cannot be read (no such file)`);
    expect(() => decryptKeystoreFile(dir, PASSWORD)).to.throw(`keystore ${dir} cannot be read (it is a folder)`);
  });

  it("says a keystore whose mnemonic does not match its key is damaged", function () {
    const wallet = Wallet.createRandom();
    const json = JSON.parse(quick(wallet));
    json.address = Wallet.createRandom().address.slice(2).toLowerCase();
    const file = write("damaged.json", JSON.stringify(json));
    expect(() => decryptKeystoreFile(file, PASSWORD)).to.throw(/is damaged and cannot be decrypted/);
  });
});
