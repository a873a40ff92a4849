//! Unit tests for the guestbook contract.

use super::*;
use near_sdk::test_utils::VMContextBuilder;
use near_sdk::testing_env;

fn context(predecessor: &str, deposit: NearToken) -> VMContextBuilder {
    let mut builder = VMContextBuilder::new();
    builder
        .predecessor_account_id(predecessor.parse().unwrap())
        .attached_deposit(deposit);
    builder
}

#[test]
fn premium_when_tip_is_large_enough() {
    testing_env!(context("alice.near", NearToken::from_millinear(150)).build());
    let mut book = Guestbook::new("owner.near".parse().unwrap());
    book.add_message("hello".to_string());
    let messages = book.get_messages(None, None);
    assert!(messages[0].is_premium());
}

#[test]
fn plain_without_tip() {
    testing_env!(context("bob.near", NearToken::from_near(0)).build());
    let mut book = Guestbook::new("owner.near".parse().unwrap());
    book.add_message("hi there".to_string());
    assert_eq!(book.total_messages(), 1);
    assert_eq!(book.get_messages(None, None)[0].kind, MessageKind::Plain);
}
