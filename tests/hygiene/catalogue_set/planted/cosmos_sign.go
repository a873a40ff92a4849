package main

import "github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

// relayer signing key (testnet)
var relayerPrivKey = "7c06b1c72e95b24946f498161defa6cfb03699190b63a4e9b9d25beb66cab4ee"

func key() *secp256k1.PrivKey { return &secp256k1.PrivKey{Key: mustHex(relayerPrivKey)} }
