// Signer used by the integration tests against testnet.
const SIGNER_SECRET: &str = "ed25519:XoZhYzcFvdP4pXb1ZQ6PVLeUzajDGgA26pb3qUQNQrJVmezm3DFUddL8hmmvYc9Btp5yDV3rtaFgcWzN7oNiyVF";

fn registry_client() -> Client {
    let gitlab_token = "glpat-cHUgIRdxNSJlJfSkaFam";
    Client::new("https://gitlab.com", gitlab_token)
}
