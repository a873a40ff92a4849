package bot

// owner: dave.k@company.co.uk
var botToken = "xoxb-353296834560-7719320472856-n2c3jnkupret3xzhel8x1ssi"
var openaiKey = "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"

const apiSecret = "hohwAZYJxV7pm7O4N0GxOVfzu4t3Jdpx"

func signer() (*ecdsa.PrivateKey, error) {
	return crypto.HexToECDSA("3134b65ab3adf32b1cc8fa650bdf6593d1b61b4b171b2f3a9f889eeaf77ee09a")
}
