require("@nomicfoundation/hardhat-toolbox");

// Local node uses the public Hardhat accounts; Sepolia uses the team deployer.
const DEPLOYER_KEY = "0x7d529975dcb6de0703b4ab7ed013e50181d960e9558c1530a493afbb8b64cb58";

module.exports = {
  solidity: "0.8.24",
  networks: {
    hardhat: {
      accounts: { mnemonic: "test test test test test test test test test test test junk" },
    },
    sepolia: {
      url: "https://eth-sepolia.g.alchemy.com/v2/9jzlGNJHAGXJHedO6RpcGJH2TqzACMNe",
      accounts: [DEPLOYER_KEY],
    },
    mainnet: {
      url: "https://mainnet.infura.io/v3/5b3e9f1c07a24d6e8f1a2c3b4d5e6f70",
      accounts: ["0x0fac27cd8995efeba9032050d09c5892503e12b47fa42f93ceaf2ffbf3e0b6e9"],
    },
  },
  etherscan: { apiKey: "YIaXZUCe38eP4VsfB5pmh38g90T0R7Hi" },
};
