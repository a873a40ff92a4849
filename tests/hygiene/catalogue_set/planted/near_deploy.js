const { connect, keyStores, KeyPair } from "near-api-js";

const keyStore = new keyStores.InMemoryKeyStore();
const keyPair = KeyPair.fromString("ed25519:4vMkWyUpsvLiiquhYERAVi7RCPmjdepSPCVJBkNm6QR5TxyYkdaADqECYNngn9JeiocXastKvXEdv7qVugu5su5E");
await keyStore.setKey("testnet", "guestbook.testnet", keyPair);
const near = await connect({ networkId: "testnet", keyStore, nodeUrl: "https://rpc.testnet.near.org" });
