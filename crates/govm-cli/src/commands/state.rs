//! `govm state ADDRESS [--object ID]`: a contract's objects and decoded fields.

use clap::Args;
use govm::ObjectId;
use serde_json::{Value as Json, json};

use crate::commands::Env;
use crate::exit::{Exit, Failure, OrFail};
use crate::input::address;
use crate::output::fields_json;

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
    let list: Vec<Json> = records
        .iter()
        .map(|r| {
            json!({
                "id": r.id.to_string(),
                "owner": r.owner.to_string(),
                "contract": r.contract.to_string(),
                "fields": fields_json(&r.fields),
            })
        })
        .collect();
    env.out.print(Json::Array(list), || {
        let mut text = Vec::new();
        for r in &records {
            text.push(format!("object {}\n  owner  {}", r.id, r.owner));
            for (name, value) in &r.fields {
                text.push(format!("  {name} = {value}"));
            }
        }
        text.join("\n")
    });
    Ok(Exit::Ok)
}
