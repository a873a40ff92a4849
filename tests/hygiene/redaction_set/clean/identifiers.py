import hashlib
import uuid

REQUEST_ID = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
SESSION = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
COMMIT = "9fceb02d0ae598e95dc970b74767f19372d61af8"
PARENT = "e83c5163316f89bfbde7d9ab23ca2e25604af290"
# FIPS 180-2 test vector
assert hashlib.sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA512_EMPTY = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
tokenizer_name = "EleutherAI/gpt-neox-20b"
max_tokens = 4096
secret_path = "/var/run/secrets/kubernetes.io/serviceaccount/token"
password_hash = "$2b$12$KIXQJ4qkN0M1qZk8dX1kXe7r6b5zV0m9f3n2p1q0r9s8t7u6v5w4x"
token_id = 184467440737095516
api_key = os.environ["API_KEY"]
auth_token = settings.github.auth_token
SECRET_KEY_SETTING = "DJANGO_SECRET_KEY_FROM_ENV"
