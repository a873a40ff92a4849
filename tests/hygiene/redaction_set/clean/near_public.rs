// Access keys are public; the account id is public.
const OWNER: &str = "guestbook.near";
const OWNER_KEY: &str = "ed25519:6k6HAEUje22dQDLD81cPD5UktBdrCxT3fRYe4jquvANm";
const VALIDATOR_KEY: &str = "ed25519:DcA2MzgpJbrUATQLLceocVckhhAqrkingax4oJ9kZ847";
const CODE_HASH: &str = "9YzEDbQRxkCYgJbPj2qxmNDBmdePBMGgdP9JpC8GgvNy";
