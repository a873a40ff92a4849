import { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

const SEPOLIA_URL = "https://eth-sepolia.g.alchemy.com/v2/zMFPbwM0GDIYYDdy6tDOZaPfEORvL6j4";
// deployer for the testnet faucet
const DEPLOYER_KEY = "bcd8c88e81f82b15821756a5a38768d68e66447a4af266f216635c2cb2777f87";

const config: HardhatUserConfig = {
  solidity: "0.8.24",
  networks: {
    sepolia: { url: SEPOLIA_URL, accounts: ["0x29521d0068ea0a5f91aa29f95bc22a60b86fd891a9d0643b3a54d7106341f861"] },
    localhost: { url: "http://127.0.0.1:8545" },
  },
  etherscan: { apiKey: "U7283ZE1BVPWO87TKRVSXE9JR8RJAW989J" },
  namedAccounts: { treasury: "0xb10e0ad0ff559df0c325cd93c786122d78e687d2" },
};
export default config;
