# restore the test wallet in Electrum (standard seed)
SEED = "decide theme hedgehog saddle night then shallow shell oxygen satisfy valve help"
subprocess.run(["electrum", "--testnet", "restore", SEED], check=True)
