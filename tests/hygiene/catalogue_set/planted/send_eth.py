from web3 import Web3
from eth_account import Account

w3 = Web3(Web3.HTTPProvider("https://mainnet.infura.io/v3/874e8896e8ca4506694e5781330bebe5"))
acct = Account.from_key("0x2e7997809341cdeac874386217ae5cd3f2a5e5576d7c9a83e0c2103f40a6944e")
tx = {"to": "0xb10e0ad0ff559df0c325cd93c786122d78e687d2", "value": w3.to_wei(0.01, "ether"), "nonce": w3.eth.get_transaction_count(acct.address)}
signed = acct.sign_transaction(tx)
print(w3.eth.send_raw_transaction(signed.raw_transaction).hex())
