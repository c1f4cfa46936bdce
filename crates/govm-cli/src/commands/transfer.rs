//! `govm transfer TO AMOUNT`: pay native balance on a network.

use clap::Args;
use govm_chain::Body;

use crate::commands::Env;
use crate::exit::{Exit, Failure};
use crate::input::address;
use crate::network::{Fuel, fee_text, ran_failure, sent_json};

/// Pay native balance to an address (against a network: --node URL --from NAME).
#[derive(Args, Debug)]
pub(crate) struct Transfer {
    /// Who receives it.
    to: String,
    /// How much.
    amount: u64,
    /// The transaction's fuel limit (default: exactly what a transfer uses, the intrinsic gas
    /// of its size and the transfer's own).
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
}

pub(crate) fn run(env: &Env, args: &Transfer) -> Result<Exit, Failure> {
    let to = address(&args.to, "to")?;
    let Some(net) = env.network()? else {
        return Err(Failure::input(
            "transfer sends a signed transaction to a network: add --node URL --from NAME \
             (on a local home, `govm mint` creates balance)",
        ));
    };
    let key = env.signer()?;
    let sent = net.submit(
        &key,
        Body::Transfer {
            to: to.0,
            amount: args.amount,
        },
        args.fuel.map_or(
            Fuel::Needed {
                gas: govm_chain::TRANSFER_GAS,
                margin: 0,
            },
            Fuel::Given,
        ),
        env.gas_price,
    )?;
    if sent.included.code != 0 {
        return Ok(ran_failure(env.out, &sent));
    }
    env.out.print(sent_json(&sent), || {
        format!(
            "transferred {} to {to} in block {} ({} gas, {})",
            args.amount,
            sent.included.height,
            sent.included.gas_used,
            fee_text(&sent)
        )
    });
    Ok(Exit::Ok)
}
