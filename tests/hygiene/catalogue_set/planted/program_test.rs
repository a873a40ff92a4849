use solana_sdk::signature::Keypair;

/// Authority used by the integration tests on a local validator.
const AUTHORITY_SECRET: [u8; 64] = [
    202, 240, 187, 121, 196, 14, 114, 83, 85, 184, 134, 66, 180, 255, 20, 244,
    252, 67, 16, 17, 103, 133, 44, 253, 144, 164, 112, 238, 137, 237, 58, 38,
    219, 150, 188, 78, 144, 54, 172, 187, 199, 86, 216, 129, 126, 150, 44, 116,
    232, 36, 243, 157, 18, 134, 71, 109, 203, 183, 198, 158, 83, 85, 33, 158,
];

#[test]
fn authority_signs() {
    let authority = Keypair::from_bytes(&AUTHORITY_SECRET).unwrap();
    assert_eq!(authority.to_bytes().len(), 64);
}
