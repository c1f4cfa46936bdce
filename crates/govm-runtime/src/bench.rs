//! Hooks for the benchmarks only (the `bench` feature, which no govm crate enables): a reused
//! instance as the baseline a fresh instance per call is measured against, forgetting the
//! prepared modules to measure a restart, and the default wasmtime engine to compare with
//! wasmtime alone. Nothing here is isolated or meant to run contracts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use govm_abi::Address;
use govm_state::Transaction;
use wasmtime::{Engine, Store};

use crate::call::{instantiate, invoke, random_seed, unreachable_tx};
use crate::engines::new_store;
use crate::env::{CallInfo, Frame, HostState, NestedCalls};
use crate::error::{Error, Result};
use crate::options::ContractOptions;
use crate::request::{CallOutcome, Invocation};
use crate::runtime::Runtime;
use crate::trap::classify;
use crate::wasi_state::WasiState;

/// One instance reused for many calls: **no isolation** between them (the contract's Go
/// heap and globals carry over). Only a benchmark baseline.
pub struct WarmInstance {
    store: Store<HostState>,
    instance: wasmtime::Instance,
    contract: Address,
    options: ContractOptions,
}

impl std::fmt::Debug for WarmInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmInstance").finish_non_exhaustive()
    }
}

impl Runtime {
    /// An instance of `contract` to call again and again (see [`WarmInstance`]).
    pub fn warm_instance(&self, tx: &Transaction, contract: Address) -> Result<WarmInstance> {
        let shared = self.shared();
        let loaded = shared.modules.resolve(&shared.engines, tx, &contract)?;
        let options = loaded.options;
        let variant = shared.engines.variant(&options)?;
        // The call and its WASI state are set by each call.
        let state = HostState::new(
            None,
            Some(Arc::clone(shared) as Arc<dyn NestedCalls>),
            Frame::outermost(None),
            &loaded.abi,
            &options,
            CallInfo::INITIALIZE,
            WasiState::for_initialize(shared.log_level),
        );
        // No deadline: a benchmark runs for as long as it runs.
        let mut store = new_store(
            &variant.engine,
            state,
            Instant::now() + Duration::from_secs(3600),
        );
        store.set_epoch_deadline(u64::MAX / 2);
        let instance =
            instantiate(&loaded, &mut store).map_err(|e| classify(e, store.data().seen()))?;
        Ok(WarmInstance {
            store,
            instance,
            contract,
            options,
        })
    }

    /// Forgets every prepared module, so that the next call loads from the disk cache (as
    /// after a restart).
    pub fn forget_modules(&self) {
        self.shared().modules.clear();
    }

    /// The default engine, for benchmarks that compare against wasmtime alone.
    pub fn default_engine(&self) -> Result<Engine> {
        self.shared()
            .engines
            .default_engine()
            .ok_or_else(|| Error::Internal("the default engine is made with the runtime".into()))
    }
}

impl WarmInstance {
    /// Calls `function` on the instance against `tx`.
    pub fn call(
        &mut self,
        tx: Transaction,
        function: &str,
        invocation: &Invocation<'_>,
    ) -> (Transaction, CallOutcome) {
        let state = self.store.data_mut();
        state.tx = Some(tx);
        state.call = CallInfo::new(self.contract, invocation);
        let seed = random_seed(self.contract, function, invocation);
        state.wasi = WasiState::new(invocation.block_time, seed, state.wasi.level());
        let fuel_limit = invocation.fuel_limit.min(self.options.fuel_limit);
        let mut gas_used = 0;
        let result = invoke(
            &self.instance,
            &mut self.store,
            function,
            invocation.args,
            fuel_limit,
            &mut gas_used,
        )
        .map_err(|e| classify(e, self.store.data().seen()));
        let state = self.store.data_mut();
        let tx = state.tx.take().unwrap_or_else(|| unreachable_tx());
        let events = std::mem::take(&mut state.events);
        // Each call keeps its own events, as a fresh instance's would: the bound on what a
        // call keeps (MAX_CALL_EVENTS_SIZE) must not count the calls before it.
        state.events_size = 0;
        let outcome = CallOutcome {
            events: if result.is_ok() { events } else { Vec::new() },
            result,
            gas_used,
            debug_output: String::new(),
        };
        (tx, outcome)
    }
}
