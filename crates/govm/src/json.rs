//! The JSON forms of what the facade returns, shared by every front end (the `govm` command
//! and the node's queries print the same thing): addresses, IDs and hashes as `0x`-hex, values
//! in their ABI JSON form (docs/abi.md), fields keyed by name.

use serde_json::{Value as Json, json};

use crate::config::{EventRecord, Outcome};
use crate::records::{ContractInfo, ObjectRecord};
use govm_abi::{ContractAbi, Value};

/// Named fields as one JSON object.
pub fn fields_json(fields: &[(String, Value)]) -> Json {
    Json::Object(
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

impl EventRecord {
    /// `{"contract", "name", "fields"}`.
    pub fn to_json(&self) -> Json {
        json!({
            "contract": self.contract.to_string(),
            "name": self.name,
            "fields": fields_json(&self.fields),
        })
    }
}

impl ObjectRecord {
    /// `{"id", "owner", "contract", "fields"}`.
    pub fn to_json(&self) -> Json {
        json!({
            "id": self.id.to_string(),
            "owner": self.owner.to_string(),
            "contract": self.contract.to_string(),
            "fields": fields_json(&self.fields),
        })
    }
}

impl Outcome {
    /// `{"status": "ok", "result", "error": null, "events", "gas_used"}`: one result as the
    /// value, several as an array, none as null.
    pub fn to_json(&self) -> Json {
        let events: Vec<Json> = self.events.iter().map(EventRecord::to_json).collect();
        json!({
            "status": "ok",
            "result": ContractAbi::results_to_json(&self.results),
            "error": null,
            "events": events,
            "gas_used": self.gas_used,
        })
    }
}

impl ContractInfo {
    /// The deployed contract: `{"address", "code_hash", "source_hash", "module_hash",
    /// "deployer", "deploy_height", "options", "abi", "wasm_size", "exports", "imports"}`.
    pub fn to_json(&self) -> Json {
        let o = self.options;
        json!({
            "address": self.address.to_string(),
            "code_hash": self.code_hash.to_string(),
            "source_hash": self.source_hash.to_string(),
            "module_hash": self.module_hash.to_string(),
            "deployer": self.deployer.to_string(),
            "deploy_height": self.deploy_height,
            "options": {
                "memory_limit": o.memory_limit,
                "table_size": o.table_size,
                "timeout_ms": o.timeout_ms,
                "fuel_limit": o.fuel_limit,
                "stack_size": o.stack_size,
                "enable_simd": o.enable_simd,
            },
            "abi": serde_json::from_str::<Json>(&self.abi.to_json()).unwrap_or(Json::Null),
            "wasm_size": self.wasm_size,
            "exports": self.exports,
            "imports": self.imports,
        })
    }
}
