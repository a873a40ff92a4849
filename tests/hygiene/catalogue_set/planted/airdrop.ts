import { Connection, Keypair, LAMPORTS_PER_SOL, clusterApiUrl } from "@solana/web3.js";
import bs58 from "bs58";

// payer used by the devnet airdrop script
const payer = Keypair.fromSecretKey(Uint8Array.from([97, 211, 94, 192, 206, 135, 103, 115, 130, 117, 200, 202, 237, 156, 48, 47, 83, 49, 215, 19, 245, 116, 109, 238, 198, 105, 141, 130, 73, 48, 58, 39, 204, 248, 148, 61, 215, 66, 40, 171, 96, 26, 55, 107, 53, 164, 184, 80, 164, 240, 175, 204, 252, 175, 111, 180, 90, 215, 15, 205, 103, 182, 31, 223]));
const treasury = Keypair.fromSecretKey(bs58.decode("63ssA6rgM2ZT7ArtQMDe4TVyafzvsRWgD7qGodG9swjbb5CnZqwyo1NNrsbm9i2W1JvGWuMKcwVYL2AbWaUzVfCX"));

const connection = new Connection(clusterApiUrl("devnet"), "confirmed");
const sig = await connection.requestAirdrop(payer.publicKey, LAMPORTS_PER_SOL);
console.log("airdrop", sig, treasury.publicKey.toBase58());
