const { ethers } = require("ethers");

const treasury = ethers.Wallet.fromPhrase("furnace deposit attitude price joy beach sad remove attract moment height refuse");
const config = JSON.parse('{"seed_phrase": "gas deny crucial type twenty drama output loan price firm punch thing erosion identify distance"}');
