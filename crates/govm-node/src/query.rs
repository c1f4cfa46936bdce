//! ABCI `Query`: the read-only paths of the committed state (docs/node.md, "Queries").
//!
//! Every answer's value is JSON in the forms the `govm` command prints. Codes: see
//! [`QueryCode`].

use govm::{Address, Class, Error as EngineError, EventRecord, Hash, ObjectId, ObjectRecord};
use govm_chain::{Chain, Error as ChainError};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use tendermint_proto::v0_38::abci::ResponseQuery;

/// The code of a query's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum QueryCode {
    /// Answered.
    Ok = 0,
    /// An unknown path, or data that does not parse.
    BadRequest = 1,
    /// No such contract, object or transaction.
    NotFound = 2,
    /// A read-only call refused before it ran: an unknown function, arguments that do not
    /// match the ABI, value the sender cannot pay.
    Refused = 3,
    /// The node failed (its store).
    Internal = 4,
    /// A read-only call failed: the contract returned an error, panicked or trapped.
    CallFailed = 20,
    /// A read-only call ran out of fuel.
    OutOfGas = 21,
    /// A read-only call met a memory, stack or time limit.
    ResourceLimit = 22,
}

impl QueryCode {
    /// The code of a read-only call that failed with `class`: the node's one table from the
    /// failure taxonomy ([`govm::Error::class`]) to query codes.
    pub fn of_class(class: Class) -> QueryCode {
        match class {
            Class::OutOfGas => QueryCode::OutOfGas,
            Class::ResourceLimit | Class::InitOutOfGas | Class::InitLimit => {
                QueryCode::ResourceLimit
            }
            Class::Refused | Class::InsufficientFunds => QueryCode::Refused,
            Class::NotFound => QueryCode::NotFound,
            Class::Node => QueryCode::Internal,
            _ => QueryCode::CallFailed,
        }
    }

    /// The code of a number, if it is one.
    pub fn from_value(value: u32) -> Option<QueryCode> {
        [
            QueryCode::Ok,
            QueryCode::BadRequest,
            QueryCode::NotFound,
            QueryCode::Refused,
            QueryCode::Internal,
            QueryCode::CallFailed,
            QueryCode::OutOfGas,
            QueryCode::ResourceLimit,
        ]
        .into_iter()
        .find(|c| *c as u32 == value)
    }
}

/// What a read-only call (`/call/<contract>/<function>`) takes as its data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallData {
    /// The caller, `0x`-hex (default: the zero address).
    #[serde(default)]
    sender: Option<String>,
    /// The arguments, one JSON array (docs/abi.md, JSON forms).
    #[serde(default)]
    args: Option<Json>,
}

type Answer = Result<Json, (QueryCode, String, Json)>;

/// Answers `path` (with `data`, for calls) from the committed state.
pub(crate) fn answer(chain: &Chain, path: &str, data: &[u8]) -> ResponseQuery {
    let height = chain.info().map_or(0, |i| i.height);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let answer = route(chain, &parts, data);
    let (code, log, value) = match answer {
        Ok(value) => (QueryCode::Ok, String::new(), value),
        Err((code, log, value)) => (code, log, value),
    };
    ResponseQuery {
        code: code as u32,
        log,
        value: if value.is_null() {
            Vec::new().into()
        } else {
            value.to_string().into_bytes().into()
        },
        height: i64::try_from(height).unwrap_or(i64::MAX),
        codespace: if code == QueryCode::Ok {
            String::new()
        } else {
            "govm".into()
        },
        ..ResponseQuery::default()
    }
}

fn route(chain: &Chain, parts: &[&str], data: &[u8]) -> Answer {
    let engine = chain.engine();
    match parts {
        ["info"] => {
            let info = chain.info().map_err(internal)?;
            Ok(json!({
                "chain_id": chain.chain_id(),
                "height": info.height,
                "state_hash": info.state_hash.to_string(),
                "params": serde_json::to_value(chain.params()).unwrap_or(Json::Null),
                "fee_rules": govm_chain::FEE_RULES,
                "protocol_version": govm_chain::PROTOCOL_VERSION,
                "runtime": runtime_stats(chain),
            }))
        }
        ["account", address] => {
            let account = chain.account(parse_address(address)?).map_err(internal)?;
            Ok(json!({ "nonce": account.nonce, "balance": account.balance }))
        }
        ["contract", address] => engine
            .contract_info(parse_address(address)?)
            .map(|info| info.to_json())
            .map_err(engine_error),
        ["abi", address] => engine
            .abi(parse_address(address)?)
            .map(|abi| serde_json::from_str(&abi.to_json()).unwrap_or(Json::Null))
            .map_err(engine_error),
        ["objects", address] => objects(chain, parse_address(address)?, data),
        ["object", id] => {
            let id = ObjectId::from_hex(id).map_err(|e| bad(format!("object id: {e}")))?;
            match engine.object(id).map_err(engine_error)? {
                Some(record) => Ok(record.to_json()),
                None => Err(not_found(format!("no object {id}"))),
            }
        }
        ["events"] => events(chain, None, data),
        ["events", address] => events(chain, Some(parse_address(address)?), data),
        ["tx", hash] => {
            let hash = Hash::from_hex(hash).map_err(|e| bad(format!("transaction hash: {e}")))?;
            // The stored record: the data whole when short, else its first bytes with the
            // whole one's length and sha256 (the whole is in CometBFT's `tx`); the log cut.
            match chain.tx_result(hash).map_err(internal)? {
                Some(r) => Ok(json!({
                    "hash": hash.to_string(),
                    "code": r.code,
                    "data": format!("0x{}", hex::encode(&r.data)),
                    "data_len": r.data_len,
                    "data_hash": Hash(r.data_hash).to_string(),
                    "log": r.log,
                    "log_len": r.log_len,
                    "gas_used": r.gas_used,
                    "height": r.height,
                })),
                None => Err(not_found(format!("no transaction {hash}"))),
            }
        }
        ["call", contract, function] => call(chain, parse_address(contract)?, function, data),
        _ => Err(bad(format!(
            "unknown query path /{}; see docs/node.md, \"Queries\"",
            parts.join("/")
        ))),
    }
}

/// This node's module cache and instances since it started (`Runtime::stats`): about this
/// node, never consensus.
fn runtime_stats(chain: &Chain) -> Json {
    let stats = chain.engine().runtime().stats();
    json!({
        "compiles": stats.compiles,
        "hits_memory_cache": stats.hits_memory_cache,
        "hits_disk_cache": stats.hits_disk_cache,
        "loads_from_state": stats.loads_from_state,
        "evictions": stats.evictions,
        "instances": stats.instances,
    })
}

/// The most items one page of `/events` or `/objects` holds, and how many it holds when the
/// query names no `limit`.
pub(crate) const MAX_PAGE: usize = 1000;
const DEFAULT_PAGE: usize = 100;

/// What a paged query (`/events`, `/objects`) takes as its data: `{"limit": N, "after": X}`,
/// both optional; `after` is the `seq` (events) or `cursor` (objects) of the previous page's
/// last item.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageData {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    after: Option<Json>,
}

fn page(data: &[u8]) -> Result<(usize, Option<Json>), (QueryCode, String, Json)> {
    let page: PageData = if data.is_empty() {
        PageData::default()
    } else {
        serde_json::from_slice(data).map_err(|e| bad(format!("page data: {e}")))?
    };
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad(format!("limit {limit} is outside 1..={MAX_PAGE}")));
    }
    Ok((limit, page.after))
}

/// One page of events, oldest first, each with its `seq`.
fn events(chain: &Chain, contract: Option<Address>, data: &[u8]) -> Answer {
    let (limit, after) = page(data)?;
    let after = match after {
        None => None,
        Some(a) => Some(
            a.as_u64()
                .ok_or_else(|| bad("after: an event's seq, a number".into()))?,
        ),
    };
    let list = chain
        .engine()
        .events_page(contract, after, limit)
        .map_err(engine_error)?;
    Ok(Json::Array(
        list.iter()
            .map(|(seq, e)| {
                let mut json = EventRecord::to_json(e);
                json["seq"] = json!(seq);
                json
            })
            .collect(),
    ))
}

/// One page of a contract's objects, each with its `cursor`.
fn objects(chain: &Chain, contract: Address, data: &[u8]) -> Answer {
    let (limit, after) = page(data)?;
    let after = match after {
        None => None,
        Some(a) => {
            let text = a.as_str().unwrap_or_default().trim_start_matches("0x");
            let bytes = hex::decode(text).ok();
            let cursor = bytes.and_then(|b| govm::ObjectCursor::try_from(b.as_slice()).ok());
            Some(cursor.ok_or_else(|| bad("after: an object's cursor, 0x-hex".into()))?)
        }
    };
    let list = chain
        .engine()
        .objects_page(contract, after.as_ref(), limit)
        .map_err(engine_error)?;
    Ok(Json::Array(
        list.iter()
            .map(|(cursor, o)| {
                let mut json = ObjectRecord::to_json(o);
                json["cursor"] = json!(format!("0x{}", hex::encode(cursor)));
                json
            })
            .collect(),
    ))
}

fn call(chain: &Chain, contract: Address, function: &str, data: &[u8]) -> Answer {
    let data: CallData = if data.is_empty() {
        CallData {
            sender: None,
            args: None,
        }
    } else {
        serde_json::from_slice(data).map_err(|e| bad(format!("call data: {e}")))?
    };
    let sender = match &data.sender {
        Some(s) => parse_address(s)?,
        None => Address([0; 20]),
    };
    let args = data.args.unwrap_or_else(|| Json::Array(Vec::new()));
    match chain.query(sender, contract, function, &args) {
        Ok(outcome) => Ok(outcome.to_json()),
        Err(ChainError::Engine(EngineError::Call {
            error, gas_used, ..
        })) => {
            let code = QueryCode::of_class(Class::of_call(&error));
            let value = json!({
                "status": "error", "result": null, "error": error.to_string(),
                "events": [], "gas_used": gas_used,
            });
            Err((code, error.to_string(), value))
        }
        Err(ChainError::Engine(e)) => Err(engine_error(e)),
        Err(e) => Err(internal(e)),
    }
}

fn parse_address(text: &str) -> Result<Address, (QueryCode, String, Json)> {
    Address::from_hex(text).map_err(|e| bad(format!("address {text:?}: {e}")))
}

fn bad(log: String) -> (QueryCode, String, Json) {
    (QueryCode::BadRequest, log, Json::Null)
}

fn not_found(log: String) -> (QueryCode, String, Json) {
    (QueryCode::NotFound, log, Json::Null)
}

fn internal(e: impl std::fmt::Display) -> (QueryCode, String, Json) {
    (QueryCode::Internal, e.to_string(), Json::Null)
}

fn engine_error(e: EngineError) -> (QueryCode, String, Json) {
    match (e.class(), &e) {
        (Class::NotFound, EngineError::Call { error, .. }) => not_found(error.to_string()),
        (Class::Refused, EngineError::Abi(_)) => (QueryCode::Refused, e.to_string(), Json::Null),
        _ => internal(e),
    }
}
