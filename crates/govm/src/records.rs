//! Reading what is deployed and stored: a contract's record and module, its objects with
//! their fields decoded, and committed events.

use std::collections::HashMap;
use std::sync::Arc;

use govm_abi::{Address, ContractAbi, Hash, ObjectId, Value};
use govm_runtime::ContractOptions;
use govm_state::Transaction;

use crate::config::EventRecord;
use crate::engine::{Engine, refused};
use crate::error::{Error, Result};

/// A deployed contract, as `govm inspect` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInfo {
    /// Its address.
    pub address: Address,
    /// What its code is kept under: the hash of its source and its module together
    /// (docs/abi.md, "State layout").
    pub code_hash: Hash,
    /// sha256 of the source it was deployed with.
    pub source_hash: Hash,
    /// sha256 of its module: what `govm verify` compares a build of the source against.
    pub module_hash: Hash,
    /// Who deployed it.
    pub deployer: Address,
    /// The block height of the deployment.
    pub deploy_height: u64,
    /// The limits it runs under.
    pub options: ContractOptions,
    /// Its ABI.
    pub abi: ContractAbi,
    /// Size of its wasm module in bytes.
    pub wasm_size: usize,
    /// The module's exports.
    pub exports: Vec<String>,
    /// The module's imports, as `module::name`.
    pub imports: Vec<String>,
}

/// An object and its decoded fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRecord {
    /// Its ID.
    pub id: ObjectId,
    /// Its owner.
    pub owner: Address,
    /// The contract that created it.
    pub contract: Address,
    /// Its fields by name, in name order.
    pub fields: Vec<(String, Value)>,
}

/// ABIs read once per listing.
struct Abis<'a> {
    engine: &'a Engine,
    tx: &'a Transaction,
    seen: HashMap<Address, Arc<ContractAbi>>,
}

impl<'a> Abis<'a> {
    fn new(engine: &'a Engine, tx: &'a Transaction) -> Self {
        Self {
            engine,
            tx,
            seen: HashMap::new(),
        }
    }

    fn get(&mut self, contract: Address) -> Result<Arc<ContractAbi>> {
        if let Some(abi) = self.seen.get(&contract) {
            return Ok(Arc::clone(abi));
        }
        let abi = self
            .engine
            .runtime
            .abi(self.tx, contract)
            .map_err(refused)?;
        self.seen.insert(contract, Arc::clone(&abi));
        Ok(abi)
    }
}

impl Engine {
    /// The ABI of a deployed contract.
    pub fn abi(&self, contract: Address) -> Result<ContractAbi> {
        let tx = self.state.begin();
        Ok((*Abis::new(self, &tx).get(contract)?).clone())
    }

    /// A deployed contract: its record, ABI and module.
    pub fn contract_info(&self, contract: Address) -> Result<ContractInfo> {
        let tx = self.state.begin();
        let record = tx.contract(&contract.0)?.ok_or_else(|| {
            refused(govm_runtime::Error::UnknownContract {
                address: contract.to_string(),
            })
        })?;
        let abi = Abis::new(self, &tx).get(contract)?;
        let wasm = tx.code(&record.code_hash)?.unwrap_or_default();
        let source_hash = tx.code_source_hash(&record.code_hash)?.unwrap_or_default();
        let module_hash = tx.code_digest(&record.code_hash)?.unwrap_or_default();
        let options = ContractOptions::decode(&record.options).map_err(Error::Runtime)?;
        // Checked when it was deployed: only listed here.
        let module = govm_abi::module_info(&wasm)
            .map_err(|e| Error::Runtime(govm_runtime::Error::InvalidModule(e.0)))?;
        Ok(ContractInfo {
            address: contract,
            code_hash: Hash(record.code_hash),
            source_hash: Hash(source_hash),
            module_hash: Hash(module_hash),
            deployer: Address(record.deployer),
            deploy_height: record.deploy_height,
            options,
            abi: (*abi).clone(),
            wasm_size: module.size,
            exports: module.exports,
            imports: module.imports,
        })
    }

    /// The objects a contract created, oldest first, with their fields decoded.
    pub fn objects(&self, contract: Address) -> Result<Vec<ObjectRecord>> {
        let tx = self.state.begin();
        let abi = Abis::new(self, &tx).get(contract)?;
        tx.objects_of(&contract.0)?
            .into_iter()
            .map(|meta| object_record(&tx, &abi, meta))
            .collect()
    }

    /// One object, with its fields decoded by its contract's ABI.
    pub fn object(&self, id: ObjectId) -> Result<Option<ObjectRecord>> {
        let tx = self.state.begin();
        let Some(meta) = tx.object(&id.0)? else {
            return Ok(None);
        };
        let abi = Abis::new(self, &tx).get(Address(meta.contract))?;
        object_record(&tx, &abi, meta).map(Some)
    }

    /// At most `limit` committed events after sequence number `after`, oldest first, each
    /// with its sequence number (the next page's `after`); with `contract`, only that
    /// contract's. Bounded by `limit`: what a node serves.
    pub fn events_page(
        &self,
        contract: Option<Address>,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, EventRecord)>> {
        let events = self
            .state
            .events_page(contract.as_ref().map(|c| &c.0), after, limit)?;
        let tx = self.state.begin();
        let mut abis = Abis::new(self, &tx);
        events
            .iter()
            .map(|(seq, e)| {
                Ok((
                    *seq,
                    EventRecord::decode(&*abis.get(Address(e.contract))?, e)?,
                ))
            })
            .collect()
    }

    /// At most `limit` objects of `contract` after `after`, with their fields decoded, in
    /// the owner index's order (by owner, then creation), each with its cursor (the next
    /// page's `after`). Bounded by `limit`: what a node serves.
    pub fn objects_page(
        &self,
        contract: Address,
        after: Option<&govm_state::ObjectCursor>,
        limit: usize,
    ) -> Result<Vec<(govm_state::ObjectCursor, ObjectRecord)>> {
        let page = self.state.objects_page(&contract.0, after, limit)?;
        let tx = self.state.begin();
        let abi = Abis::new(self, &tx).get(contract)?;
        page.into_iter()
            .map(|(cursor, meta)| Ok((cursor, object_record(&tx, &abi, meta)?)))
            .collect()
    }

    /// Every committed event, oldest first; with `contract`, only that contract's.
    pub fn events(&self, contract: Option<Address>) -> Result<Vec<EventRecord>> {
        let events = self.state.events(contract.as_ref().map(|c| &c.0))?;
        let tx = self.state.begin();
        let mut abis = Abis::new(self, &tx);
        events
            .iter()
            .map(|e| EventRecord::decode(&*abis.get(Address(e.contract))?, e))
            .collect()
    }
}

fn object_record(
    tx: &Transaction,
    abi: &ContractAbi,
    meta: govm_state::ObjectMeta,
) -> Result<ObjectRecord> {
    let fields = tx
        .fields(&meta.id)?
        .into_iter()
        .map(|(name, bytes)| Ok((name, abi.codec().decode_tagged(&bytes)?.1)))
        .collect::<Result<Vec<_>>>()?;
    Ok(ObjectRecord {
        id: ObjectId(meta.id),
        owner: Address(meta.owner),
        contract: Address(meta.contract),
        fields,
    })
}
