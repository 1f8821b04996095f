// Prints the ERC-7201 storage slot of a namespace: node scripts/erc7201.js csd.storage.Name
const { keccak256, toUtf8Bytes, AbiCoder, toBigInt, toBeHex } = require("ethers");
const id = process.argv[2];
const inner = toBigInt(keccak256(toUtf8Bytes(id))) - 1n;
const outer = toBigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256"], [inner]))) & ~0xffn;
console.log(toBeHex(outer, 32));
