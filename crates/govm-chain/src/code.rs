//! Result codes of transactions (docs/chain.md, "Result codes"): below 20, the transaction
//! was refused and changed nothing; from 20, it ran: its sender's nonce moved on and the fee
//! was paid, and only its body's writes were rolled back when it failed.

use govm::Class;

/// Why a transaction was refused, or how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum Code {
    /// It ran and succeeded.
    Ok = 0,
    /// The bytes are not a transaction: empty, truncated, or with bytes left over.
    Malformed = 1,
    /// Another transaction format version.
    UnknownVersion = 2,
    /// Larger than the chain's `max_tx_bytes`.
    TooLarge = 3,
    /// The public key or the signature is not valid for the transaction.
    BadSignature = 4,
    /// Meant for another chain.
    WrongChain = 5,
    /// Not the sender's next nonce.
    BadNonce = 6,
    /// A gas price below the chain's minimum.
    GasPriceTooLow = 7,
    /// A fuel limit above the chain's per-transaction cap, or below the transaction's
    /// intrinsic gas.
    BadFuelLimit = 8,
    /// The sender cannot pay `fuel_limit × gas_price` and the value or amount it sends.
    CannotPayFee = 9,
    /// The block's fuel limit has no room for the transaction's fuel limit.
    BlockFull = 10,
    /// A deploy whose source the validator rejects.
    InvalidSource = 11,
    /// A deploy whose wasm is not a module govm runs (not wasm, invalid, features or imports
    /// outside the module interface).
    InvalidModule = 12,
    /// A deploy whose options govm or the chain cannot honour.
    InvalidDeploy = 13,
    /// A deploy whose wasm is a valid module that does not match its source: an entry point
    /// without its export, or a callable export that is no entry point. Given by blocks
    /// under fee rules 1 only: since version 2 a block ends such a deploy [`Code::DeployFailed`]
    /// and `check_tx` refuses it as [`Code::InvalidModule`].
    ModuleMismatch = 14,
    /// The call failed: the contract returned an error or panicked, the arguments did not
    /// decode, the contract or the function does not exist, or a trap.
    CallFailed = 20,
    /// The transaction used all its fuel.
    OutOfGas = 21,
    /// A memory or stack limit of the contract, a result over 1 MiB, or a result its block
    /// has no room for (its result bytes spent: `MAX_BLOCK_RESULT_BYTES`).
    ResourceLimit = 22,
    /// A transfer of more than the sender has after the fee.
    InsufficientFunds = 23,
    /// A deploy whose package initialisation failed (a trap, a panic, a memory limit).
    InitFailed = 24,
    /// A deploy that a block found wrong after admitting it: a source the validator rejects,
    /// a module that is not valid or does not match its source, options govm or the chain
    /// does not accept. `check_tx` refuses each of these (11, 12, 13), so an honest proposer
    /// never includes one; in a block it costs every validator work, so it pays like any
    /// transaction that ran. Nothing of it is written but its nonce and fee.
    DeployFailed = 25,
}

impl Code {
    /// The number ABCI and clients see.
    pub fn value(self) -> u32 {
        self as u32
    }

    /// The code of a call that ran and failed with `class`: the chain's one table from the
    /// failure taxonomy ([`govm::Error::class`]) to result codes.
    pub fn of_call(class: Class) -> Code {
        match class {
            Class::OutOfGas => Code::OutOfGas,
            Class::ResourceLimit
            | Class::ResultTooLarge
            | Class::InitOutOfGas
            | Class::InitLimit => Code::ResourceLimit,
            Class::InsufficientFunds => Code::InsufficientFunds,
            _ => Code::CallFailed,
        }
    }

    /// The code of a deploy that a block admitted and that failed with `class` (a failure
    /// of the node itself aside, which stops the block): the chain's one table from the
    /// failure taxonomy to a failed deploy's result. Package initialisation that ran out is
    /// [`Code::OutOfGas`], one that failed otherwise [`Code::InitFailed`]; anything else the
    /// block finds wrong is [`Code::DeployFailed`].
    pub fn of_deploy(class: Class) -> Code {
        match class {
            Class::InitOutOfGas => Code::OutOfGas,
            Class::InitLimit | Class::InitFailed => Code::InitFailed,
            _ => Code::DeployFailed,
        }
    }

    /// The code of a number, if it is one.
    pub fn from_value(value: u32) -> Option<Code> {
        const ALL: [Code; 21] = [
            Code::Ok,
            Code::Malformed,
            Code::UnknownVersion,
            Code::TooLarge,
            Code::BadSignature,
            Code::WrongChain,
            Code::BadNonce,
            Code::GasPriceTooLow,
            Code::BadFuelLimit,
            Code::CannotPayFee,
            Code::BlockFull,
            Code::InvalidSource,
            Code::InvalidModule,
            Code::InvalidDeploy,
            Code::ModuleMismatch,
            Code::CallFailed,
            Code::OutOfGas,
            Code::ResourceLimit,
            Code::InsufficientFunds,
            Code::InitFailed,
            Code::DeployFailed,
        ];
        ALL.into_iter().find(|c| c.value() == value)
    }

    /// Whether the transaction ran (nonce and fee taken) rather than being refused.
    pub fn ran(self) -> bool {
        self == Code::Ok || self.value() >= 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_names_its_code() {
        for value in 0..=30 {
            if let Some(code) = Code::from_value(value) {
                assert_eq!(code.value(), value);
            }
        }
        assert_eq!(Code::from_value(24), Some(Code::InitFailed));
        assert_eq!(Code::from_value(25), Some(Code::DeployFailed));
        assert!(Code::DeployFailed.ran());
        assert_eq!(Code::from_value(15), None);
        assert_eq!(Code::from_value(26), None);
    }
}
