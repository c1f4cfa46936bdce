//! The govm ledger: what every node of a govm chain computes the same way.
//!
//! A [`Chain`] runs on a [`govm::Engine`] (the embedded API: trusted callers, no signatures)
//! and adds the rules of a public chain: signed [`Tx`]s with nonces, fees paid to the block's
//! proposer, deploys of prebuilt wasm (nodes need no Go toolchain), attached value, blocks
//! whose height and state hash are stored with the state, and a [`Genesis`]. docs/chain.md
//! specifies the transaction format, the fee rules and the block lifecycle.
//!
//! ```
//! use govm::{Address, Config, Engine};
//! use govm_chain::{Body, Chain, Code, Genesis, UnsignedTx, address_of, signing_key};
//!
//! let key = signing_key(&[7; 32]);
//! let alice = address_of(&key.verifying_key().to_bytes());
//! let genesis = Genesis::from_json(&format!(
//!     r#"{{"chain_id": "demo", "time": 1700000000, "balances": [{{"address": "{alice}", "amount": 1000000000}}]}}"#
//! ))?;
//! let chain = Chain::new(Engine::new(Config::default())?, &genesis)?;
//! let tx = UnsignedTx {
//!     chain_id: "demo".into(),
//!     nonce: 0,
//!     fuel_limit: 100_000,
//!     gas_price: 1,
//!     body: Body::Transfer { to: [9; 20], amount: 5 },
//! }
//! .sign(&key)
//! .encode();
//! assert_eq!(chain.check_tx(&tx).code, Code::Ok);
//! let mut block = chain.begin_block(1, 1_700_000_005, Address([0xfe; 20]))?;
//! let result = block.deliver_tx(&tx)?;
//! let state_hash = block.commit()?;
//! println!("{:?} used {} gas; state {state_hash}", result.code, result.gas_used);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod admission;
mod block;
mod chain;
mod code;
mod error;
mod genesis;
mod params;
mod proposal;
mod results;
mod tx;

pub use admission::{Pending, TxCheck};
pub use block::{ChainBlock, FinalizedChainBlock};
pub use chain::{Account, Chain, ChainInfo, QUERY_FUEL};
pub use code::Code;
pub use ed25519_dalek::SigningKey;
pub use error::{Error, Result};
pub use genesis::{Genesis, GenesisBalance, GenesisContract};
pub use params::{
    ChainParams, FEE_RULES, MAX_BLOCK_EVENTS_SIZE, MAX_BLOCK_RESULT_BYTES, MAX_TX_BYTES_RANGE,
    MIN_CALL_FUEL, PROTOCOL_VERSION, RESULT_BYTE_GAS, RESULT_FREE_BYTES, TRANSFER_GAS, TX_BASE_GAS,
    TX_GAS_PER_BYTE, intrinsic_gas, result_bytes, result_gas,
};
pub use proposal::{ProposalRefusal, ProposalTx};
pub use results::{RECORD_DATA_BYTES, RECORD_LOG_BYTES, TxRecord, TxResult, TxSummary};
pub use tx::{
    Body, SIGNING_DOMAIN, TX_VERSION, Tx, UnsignedTx, address_of, call_body, signing_key,
    transfer_body, tx_hash,
};
