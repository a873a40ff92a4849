//! A guestbook contract: accounts leave short messages, optionally attaching
//! NEAR as a tip. Messages with a tip of at least 0.1 NEAR are marked premium.

use near_sdk::store::Vector;
use near_sdk::{env, near, AccountId, NearToken, PanicOnDefault};

/// Smallest tip that marks a message as premium (0.1 NEAR).
const PREMIUM_TIP: NearToken = NearToken::from_millinear(100);
/// Longest message, in characters, that the contract accepts.
const MAX_MESSAGE_LEN: usize = 280;

/// How a message was posted, used by the frontend to pick a badge.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq)]
pub enum MessageKind {
    Plain,
    Premium,
    Pinned { by: AccountId },
}

/// One entry of the guestbook.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug)]
pub struct PostedMessage {
    pub sender: AccountId,
    pub text: String,
    pub kind: MessageKind,
    pub block_height: u64,
}

/// Anything that can be summarised in one short line for logs.
pub trait Summary {
    /// Returns a one-line description suitable for `env::log_str`.
    fn summary(&self) -> String;

    fn is_premium(&self) -> bool {
        false
    }
}

impl Summary for PostedMessage {
    fn summary(&self) -> String {
        let preview: String = self.text.chars().take(32).collect();
        format!("{} wrote \"{}\"", self.sender, preview)
    }

    fn is_premium(&self) -> bool {
        matches!(self.kind, MessageKind::Premium)
    }
}

#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Guestbook {
    owner: AccountId,
    messages: Vector<PostedMessage>,
}

#[near]
impl Guestbook {
    /// Creates the guestbook and makes `owner` the only account allowed to pin messages.
    #[init]
    pub fn new(owner: AccountId) -> Self {
        Self {
            owner,
            messages: Vector::new(b"m"),
        }
    }

    /// Adds a message signed by the caller. Attach at least 0.1 NEAR to make it premium.
    #[payable]
    pub fn add_message(&mut self, text: String) {
        assert!(!text.trim().is_empty(), "Message must not be empty");
        assert!(text.chars().count() <= MAX_MESSAGE_LEN, "Message is too long");
        let kind = if env::attached_deposit() >= PREMIUM_TIP {
            MessageKind::Premium
        } else {
            MessageKind::Plain
        };
        let message = PostedMessage {
            sender: env::predecessor_account_id(),
            text,
            kind,
            block_height: env::block_height(),
        };
        env::log_str(&message.summary());
        self.messages.push(message);
    }

    /// Returns up to `limit` messages starting at `from_index`, oldest first.
    pub fn get_messages(&self, from_index: Option<u32>, limit: Option<u32>) -> Vec<PostedMessage> {
        let from = from_index.unwrap_or(0);
        let limit = limit.unwrap_or(10).min(50);
        self.messages
            .iter()
            .skip(from as usize)
            .take(limit as usize)
            .cloned()
            .collect()
    }

    /// Returns how many messages have been posted so far.
    pub fn total_messages(&self) -> u32 {
        self.messages.len()
    }

    /// Pins the message at `index`; only the owner may call this.
    pub fn pin_message(&mut self, index: u32) {
        self.assert_owner();
        let pinned_by = self.owner.clone();
        let message = self.messages.get_mut(index).expect("No message at this index");
        message.kind = MessageKind::Pinned { by: pinned_by };
    }

    fn assert_owner(&self) {
        assert_eq!(env::predecessor_account_id(), self.owner, "Only the owner can do this");
    }
}

#[cfg(test)]
mod tests;
