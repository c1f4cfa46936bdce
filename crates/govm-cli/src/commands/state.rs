//! `govm state ADDRESS [--object ID]`: a contract's objects and decoded fields.

use clap::Args;
use govm::ObjectId;
use serde_json::Value as Json;

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;

/// Show a contract's objects, owners and decoded fields.
#[derive(Args, Debug)]
pub(crate) struct State {
    /// The contract's address.
    contract: String,
    /// Only this object.
    #[arg(long)]
    object: Option<String>,
}

pub(crate) fn run(env: &Env, args: &State) -> Result<Exit, Failure> {
    if let Some(net) = env.network()? {
        let path = match &args.object {
            Some(id) => format!("/object/{id}"),
            None => format!("/objects/{}", address(&args.contract, "contract")?),
        };
        let value = net.query(&path, &[])?;
        let list = match value {
            Json::Array(list) => list,
            one => vec![one],
        };
        env.out.objects(&list);
        return Ok(Exit::Ok);
    }
    let engine = env.engine()?;
    let records = match &args.object {
        Some(id) => {
            let id =
                ObjectId::from_hex(id).map_err(|e| Failure::input(format!("--object: {e}")))?;
            engine.object(id).or_fail()?.into_iter().collect()
        }
        None => engine
            .objects(address(&args.contract, "contract")?)
            .or_fail()?,
    };
    let list: Vec<Json> = records.iter().map(govm::ObjectRecord::to_json).collect();
    env.out.objects(&list);
    Ok(Exit::Ok)
}
