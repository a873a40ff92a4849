from eth_account import Account

# Mnemonic of the faucet wallet, written down here during the hackathon:
# already once scale joy shadow trust praise shop spin slight pony garage
# pride quick police yellow street try want head upper thank empower fox
FAUCET = Account.from_key("0xaba45ee6ebc57f4590641e1f037860cf29ae36563d8b6da25a43a846eb31e7ea")
SENDGRID_API_KEY = "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"
