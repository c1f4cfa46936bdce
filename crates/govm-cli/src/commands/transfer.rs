//! `govm transfer TO AMOUNT`: pay native balance on a network.

use clap::Args;
use govm_chain::Body;

use crate::commands::Env;
use crate::exit::{Exit, Failure};
use crate::input::address;
use crate::network::{sent_json, tx_exit};

/// Pay native balance to an address (against a network: --node URL --from NAME).
#[derive(Args, Debug)]
pub(crate) struct Transfer {
    /// Who receives it.
    to: String,
    /// How much.
    amount: u64,
    /// The most gas the transaction may use.
    #[arg(long, default_value_t = 100_000)]
    fuel: u64,
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
        args.fuel,
        env.gas_price,
    )?;
    let code = sent.included.code;
    if code != 0 {
        env.out
            .call_failure(&sent.included.log, sent.included.gas_used, "");
        return Ok(tx_exit(code));
    }
    env.out.print(sent_json(&sent), || {
        format!(
            "transferred {} to {to} in block {} ({} gas)",
            args.amount, sent.included.height, sent.included.gas_used
        )
    });
    Ok(Exit::Ok)
}
