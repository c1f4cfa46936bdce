//! How much fuel a transaction reserves, and what it pays. A transaction that runs pays its
//! whole fuel limit × its gas price (docs/chain.md, fee rules 2, as the Cosmos SDK does), so
//! the command asks for what the transaction needs and little more (docs/node.md, "Fuel and
//! fees").

use crate::exit::Failure;

/// A call's margin over its estimate: this share of the gas its read-only run used
/// (the state, the height and the block time may differ when it runs in a block)…
pub(crate) const CALL_MARGIN_PERCENT: u64 = 20;
/// … plus this much, for the smallest calls, whose share is small.
pub(crate) const CALL_MARGIN_GAS: u64 = 20_000;
/// A deploy whose package initialisation could not be measured here: the gas allowed for it
/// (the token contract's uses about 2,000,000).
pub(crate) const DEPLOY_INIT_ALLOWANCE: u64 = 20_000_000;

/// The bytes a signed transaction adds after its unsigned encoding: the signer's public key
/// and the signature (docs/chain.md §1).
pub(crate) const SIGNATURE_BYTES: usize = 32 + 64;

/// How a transaction's fuel limit is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fuel {
    /// The whole limit, as the user gave it (`--fuel`, `--deploy-fuel`).
    Given(u64),
    /// What the body needs (`gas`, a transfer's or a deploy's exact gas, or a call's
    /// estimate) and a `margin` over it; the intrinsic gas of the transaction's size is added.
    Needed {
        /// The body's gas.
        gas: u64,
        /// Added when the chain's `max_tx_fuel` leaves room for it.
        margin: u64,
    },
}

impl Fuel {
    /// The fuel a call needs whose read-only run used `measured` gas.
    pub(crate) fn call_estimate(measured: u64) -> Self {
        Fuel::Needed {
            gas: measured,
            margin: (measured.saturating_mul(CALL_MARGIN_PERCENT) / 100)
                .saturating_add(CALL_MARGIN_GAS),
        }
    }

    /// The fuel limit of a transaction of `len` bytes on a chain whose `max_tx_fuel` is
    /// `max`: a given limit as it is; a needed one with the intrinsic gas, and its margin
    /// as far as `max` allows. A transaction that cannot fit is refused here, before
    /// anything is sent.
    pub(crate) fn limit(self, len: usize, max: u64) -> Result<u64, Failure> {
        match self {
            Fuel::Given(limit) => Ok(limit),
            Fuel::Needed { gas, margin } => {
                let needed = govm_chain::intrinsic_gas(len).saturating_add(gas);
                if needed > max {
                    return Err(Failure::input(format!(
                        "the transaction needs {needed} gas ({len} bytes), more than the chain's \
                         max_tx_fuel of {max}: nothing was sent"
                    )));
                }
                Ok(needed.saturating_add(margin).min(max))
            }
        }
    }
}

/// What a transaction in a block paid: nothing when it was refused (a code below 20), else
/// its fuel limit × its gas price (`gas_used × gas_price` on nodes whose fee rules are older
/// than version 2: `rules` from the node's `/info`, `None` when it does not say).
pub(crate) fn fee(
    rules: Option<u64>,
    code: u32,
    fuel_limit: u64,
    gas_used: u64,
    gas_price: u64,
) -> u64 {
    let ran = code == 0 || code >= govm_chain::Code::CallFailed.value();
    if !ran {
        return 0;
    }
    let charged = match rules {
        Some(r) if r >= 2 => fuel_limit,
        _ => gas_used,
    };
    charged.saturating_mul(gas_price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needed_limit_adds_the_intrinsic_gas_and_its_margin() {
        let len = 150;
        let intrinsic = govm_chain::intrinsic_gas(len);
        let transfer = Fuel::Needed {
            gas: govm_chain::TRANSFER_GAS,
            margin: 0,
        };
        assert_eq!(
            transfer.limit(len, u64::MAX).unwrap_or(0),
            intrinsic + govm_chain::TRANSFER_GAS
        );
        let call = Fuel::call_estimate(100_000);
        assert_eq!(
            call.limit(len, u64::MAX).unwrap_or(0),
            intrinsic + 100_000 + 20_000 + CALL_MARGIN_GAS
        );
        assert_eq!(Fuel::Given(7).limit(len, 5).unwrap_or(0), 7);
    }

    #[test]
    fn the_margin_gives_way_to_max_tx_fuel_but_the_need_does_not() {
        let len = 100;
        let need = govm_chain::intrinsic_gas(len) + 1_000_000;
        let call = Fuel::call_estimate(1_000_000);
        assert_eq!(call.limit(len, need + 10).unwrap_or(0), need + 10);
        let refused = call.limit(len, need - 1).err().map(|f| f.message);
        assert!(
            refused.is_some_and(|m| m.contains("max_tx_fuel")),
            "a call that cannot fit is refused before it is sent"
        );
    }

    #[test]
    fn a_transaction_that_ran_pays_its_fuel_limit_and_a_refused_one_nothing() {
        assert_eq!(fee(Some(2), 0, 30_000, 20_000, 3), 90_000);
        assert_eq!(fee(Some(2), 21, 30_000, 30_000, 1), 30_000);
        assert_eq!(fee(Some(2), 6, 30_000, 0, 1), 0);
        assert_eq!(fee(Some(1), 0, 30_000, 20_000, 3), 60_000);
        assert_eq!(fee(None, 20, 30_000, 25_000, 1), 25_000);
    }
}
