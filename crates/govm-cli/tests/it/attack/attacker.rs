//! An attacker of the attack suite: one funded key, what it sent, what `CheckTx` refused, and
//! whether it paid for it.

use govm::Address;
use govm_chain::{Body, Code, SigningKey, UnsignedTx, tx_hash};
use govm_node::localnet::Localnet;
use govm_node::rpc::Included;

use crate::testnet::{MINUTE, addr, key};

/// Every key's balance at genesis.
const GENESIS_BALANCE: u64 = 1 << 60;

/// A transaction an attacker sent that `CheckTx` admitted: it must be in a block, end with
/// one of `expect`, and have cost its sender `fuel_limit` (gas price 1) and `amount`.
pub(super) struct Sent {
    what: String,
    hash: [u8; 32],
    fuel_limit: u64,
    amount: u64,
    expect: &'static [Code],
    pub(super) included: Option<Included>,
}

/// One attack's key: what it sent, what `CheckTx` refused.
pub(super) struct Attacker {
    name: &'static str,
    pub(super) key: SigningKey,
    /// The validator it sends through.
    node: usize,
    chain_id: String,
    nonce: u64,
    pub(super) sent: Vec<Sent>,
    /// Hashes of its transactions `CheckTx` refused: none may be in a block.
    pub(super) refused: Vec<[u8; 32]>,
}

impl Attacker {
    pub(super) fn new(name: &'static str, seed: u8, node: usize, chain_id: &str) -> Self {
        Self {
            name,
            key: key(seed),
            node,
            chain_id: chain_id.into(),
            nonce: 0,
            sent: Vec::new(),
            refused: Vec::new(),
        }
    }

    pub(super) fn sign(&self, nonce: u64, fuel_limit: u64, body: Body) -> Vec<u8> {
        UnsignedTx {
            chain_id: self.chain_id.clone(),
            nonce,
            fuel_limit,
            gas_price: 1,
            body,
        }
        .sign(&self.key)
        .encode()
    }

    /// Sends a transaction `CheckTx` must admit.
    pub(super) fn send(
        &mut self,
        net: &Localnet,
        what: &str,
        body: Body,
        fuel_limit: u64,
        expect: &'static [Code],
    ) {
        let amount = match &body {
            Body::Transfer { amount, .. } => *amount,
            Body::Call { value, .. } => *value,
            _ => 0,
        };
        let tx = self.sign(self.nonce, fuel_limit, body);
        let answer = net.client(self.node).broadcast(&tx).unwrap();
        assert_eq!(
            answer.code, 0,
            "{}: CheckTx refused {what}: {}",
            self.name, answer.log
        );
        self.nonce += 1;
        self.sent.push(Sent {
            what: what.into(),
            hash: tx_hash(&tx),
            fuel_limit,
            amount,
            expect,
            included: None,
        });
    }

    /// Sends `tx`, which `CheckTx` must refuse with `code`.
    pub(super) fn refused(
        &mut self,
        net: &Localnet,
        what: &str,
        tx: Vec<u8>,
        code: Code,
    ) -> String {
        let answer = net.client(self.node).broadcast(&tx).unwrap();
        assert_eq!(
            answer.code,
            code.value(),
            "{}: {what}: CheckTx answered {} ({})",
            self.name,
            answer.code,
            answer.log
        );
        self.refused.push(tx_hash(&tx));
        answer.log
    }

    /// Sends a deploy `CheckTx` must refuse with `code`, at the next nonce (which it does not
    /// move).
    pub(super) fn refused_deploy(
        &mut self,
        net: &Localnet,
        what: &str,
        deploy: Body,
        code: Code,
    ) -> String {
        let tx = self.sign(self.nonce, 500_000_000, deploy);
        self.refused(net, what, tx, code)
    }

    /// Waits until every transaction it sent is in a block, and checks how each ended.
    pub(super) fn wait(&mut self, net: &Localnet) {
        let client = net.client(0);
        for sent in self.sent.iter_mut().filter(|s| s.included.is_none()) {
            let included = client
                .wait_for_tx(&sent.hash, 2 * MINUTE)
                .unwrap()
                .unwrap_or_else(|| panic!("{}: {} is in no block", self.name, sent.what));
            assert!(
                sent.expect.iter().any(|c| c.value() == included.code),
                "{}: {} ended with code {} ({}), not one of {:?}",
                self.name,
                sent.what,
                included.code,
                cut(&included.log),
                sent.expect
            );
            eprintln!(
                "attack {}: {} at height {}: code {}, gas used {} of {}",
                self.name,
                sent.what,
                included.height,
                included.code,
                included.gas_used,
                sent.fuel_limit
            );
            sent.included = Some(included);
        }
    }

    pub(super) fn included(&self, what: &str) -> &Included {
        let sent = self.sent.iter().find(|s| s.what == what).unwrap();
        sent.included.as_ref().unwrap()
    }

    /// Its nonce moved once per transaction in a block, and its balance fell by exactly their
    /// fees (`fuel_limit × gas_price`) and what they sent: it paid for everything it made the
    /// validators run, and for nothing `CheckTx` refused.
    pub(super) fn paid(&self, net: &Localnet) {
        let (nonce, balance) = account(net, addr(&self.key));
        assert_eq!(
            nonce,
            self.sent.len() as u64,
            "{}: the nonce moved {nonce} times for {} transactions in blocks",
            self.name,
            self.sent.len()
        );
        let fees: u64 = self.sent.iter().map(|s| s.fuel_limit).sum();
        let amounts: u64 = self.sent.iter().map(|s| s.amount).sum();
        assert_eq!(
            GENESIS_BALANCE - balance,
            fees + amounts,
            "{}: paid {} for {} of fees and {amounts} sent",
            self.name,
            GENESIS_BALANCE - balance,
            fees
        );
    }
}

fn cut(log: &str) -> &str {
    let mut end = log.len().min(300);
    while !log.is_char_boundary(end) {
        end -= 1;
    }
    &log[..end]
}

/// An account's nonce and balance, from validator 0.
pub(super) fn account(net: &Localnet, address: Address) -> (u64, u64) {
    let answer = net
        .client(0)
        .query(&format!("/account/{address}"), &[])
        .unwrap();
    let account: serde_json::Value = serde_json::from_slice(&answer.value).unwrap();
    (
        account["nonce"].as_u64().unwrap(),
        account["balance"].as_u64().unwrap(),
    )
}
