//! The ledger: native balances, which never go negative nor wrap, and account nonces.

use crate::error::{Error, Result};
use crate::ids::AddressBytes;
use crate::keys::{self, key};
use crate::model::array;
use crate::store::Transaction;

impl Transaction {
    /// The number of transactions `address` has sent (0 for a new account).
    pub fn nonce(&self, address: &AddressBytes) -> Result<u64> {
        self.read_counter(&key(keys::ACCOUNT_NONCE, &[address]))
    }

    /// Counts one more transaction of `address`.
    pub fn increment_nonce(&mut self, address: &AddressBytes) -> Result<u64> {
        self.counter(key(keys::ACCOUNT_NONCE, &[address]))
    }

    /// The native balance of an address (0 when it never had any).
    pub fn balance(&self, address: &AddressBytes) -> Result<u64> {
        match self.get(&key(keys::BALANCE, &[address]))? {
            None => Ok(0),
            Some(v) if v.len() == 8 => Ok(u64::from_be_bytes(array(&v))),
            Some(_) => Err(Error::Corrupt("balance".into())),
        }
    }

    fn set_balance(&mut self, address: &AddressBytes, amount: u64) -> Result<()> {
        let value = (amount != 0).then(|| amount.to_be_bytes().to_vec());
        self.put(key(keys::BALANCE, &[address]), value)
    }

    /// Moves native balance; fails without a change when `from` has too little.
    pub fn transfer(&mut self, from: &AddressBytes, to: &AddressBytes, amount: u64) -> Result<()> {
        let balance = self.balance(from)?;
        if balance < amount {
            return Err(Error::InsufficientBalance { balance, amount });
        }
        if from == to || amount == 0 {
            return Ok(());
        }
        let received = self.credited(to, amount)?;
        self.reserve(&[&key(keys::BALANCE, &[from]), &key(keys::BALANCE, &[to])])?;
        self.set_balance(from, balance - amount)?;
        self.set_balance(to, received)
    }

    /// Creates native balance out of nothing: the development faucet.
    pub fn mint(&mut self, to: &AddressBytes, amount: u64) -> Result<()> {
        let total = self.credited(to, amount)?;
        self.set_balance(to, total)
    }

    /// What `to` would hold after receiving `amount`; balances never wrap.
    fn credited(&self, to: &AddressBytes, amount: u64) -> Result<u64> {
        self.balance(to)?
            .checked_add(amount)
            .ok_or(Error::LimitExceeded {
                what: "balance",
                limit: u64::MAX as usize,
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::store::State;
    use crate::store::fixtures::{ALICE, BOB};

    #[test]
    fn balances_move_and_never_go_negative() {
        let state = State::in_memory();
        let mut tx = state.begin();
        tx.mint(&ALICE, 100).unwrap();
        tx.transfer(&ALICE, &BOB, 30).unwrap();
        assert_eq!(
            (tx.balance(&ALICE).unwrap(), tx.balance(&BOB).unwrap()),
            (70, 30)
        );
        assert!(matches!(
            tx.transfer(&BOB, &ALICE, 31),
            Err(Error::InsufficientBalance {
                balance: 30,
                amount: 31
            })
        ));
        tx.transfer(&ALICE, &ALICE, 70).unwrap();
        assert_eq!(tx.balance(&ALICE).unwrap(), 70);
        assert!(tx.mint(&ALICE, u64::MAX).is_err());
        state.commit(tx).unwrap();
        assert_eq!(state.begin().balance(&BOB).unwrap(), 30);
    }
}
