//! The `govm` host functions (docs/abi.md, "Host functions"): what a contract can ask of the
//! chain. Each one is refused during package initialisation, charged before it works, and
//! reaches guest memory only through [`crate::memory`].

use govm_abi::{Address, HOST_MODULE, host_fn};
use govm_state::{
    AddressBytes, Error as StateError, Event, ObjectIdBytes, Transaction, default_object_id,
};
use wasmtime::{AsContextMut, Caller, Linker};

use crate::LogLevel;
use crate::env::HostState;
use crate::gas;
use crate::memory::{charge, read_array, read_bytes, write_bytes};
use crate::request::{CallOutcome, EmittedEvent, Invocation};
use crate::trap::{HostTrap, trap};

/// Status codes returned by host functions to the contract.
pub(crate) mod status {
    pub(crate) const OK: u32 = 0;
    pub(crate) const NOT_FOUND: u32 = 1;
    pub(crate) const PERMISSION_DENIED: u32 = 2;
    pub(crate) const INVALID_INPUT: u32 = 3;
    pub(crate) const LIMIT_EXCEEDED: u32 = 4;
    pub(crate) const INSUFFICIENT_BALANCE: u32 = 5;
    pub(crate) const CALL_FAILED: u32 = 6;
}

pub(crate) type Ctx<'a> = Caller<'a, HostState>;

/// The start of every `govm` host function: refused while Go's `_initialize` runs (package
/// initialisation runs once at deploy, before the contract exists, so it must not reach
/// state), then charged.
fn enter(caller: &mut Ctx<'_>, name: &str, amount: u64) -> wasmtime::Result<()> {
    if caller.data().initializing {
        return Err(trap(HostTrap::Refused(
            "govm host functions cannot be used during package initialization (init functions and package-level variables)",
        )));
    }
    if caller.data().wasi.level() >= LogLevel::Trace {
        let fuel = caller.get_fuel().unwrap_or(0);
        let line = format!("[trace] govm.{name} fuel={fuel}\n");
        caller.data_mut().wasi.append(line.as_bytes());
    }
    charge(caller, amount)
}

fn read_str(caller: &mut Ctx<'_>, ptr: u32, len: u32) -> wasmtime::Result<Result<String, u32>> {
    let bytes = read_bytes(caller, ptr, len)?;
    Ok(String::from_utf8(bytes).map_err(|_| status::INVALID_INPUT))
}

/// Maps a store error to the status the contract sees; corrupt state aborts the call.
fn state_status(e: StateError) -> wasmtime::Result<u32> {
    Ok(match e {
        StateError::NotFound { .. } => status::NOT_FOUND,
        StateError::PermissionDenied { .. } => status::PERMISSION_DENIED,
        StateError::InvalidInput(_) => status::INVALID_INPUT,
        StateError::LimitExceeded { .. } => status::LIMIT_EXCEEDED,
        StateError::InsufficientBalance { .. } => status::INSUFFICIENT_BALANCE,
        other => return Err(trap(HostTrap::State(other.to_string()))),
    })
}

/// Runs a state operation that scans, then charges [`gas::SCAN_ENTRY`] per entry it visited
/// (the owner index of a lookup, the fields of a deleted object): its cost follows its work.
fn scanning<T>(
    c: &mut Ctx<'_>,
    op: impl FnOnce(&mut Transaction) -> Result<T, StateError>,
) -> wasmtime::Result<Result<T, StateError>> {
    let tx = c.data_mut().tx_mut()?;
    tx.take_scanned();
    let result = op(tx);
    let visited = tx.take_scanned();
    charge(c, visited.saturating_mul(gas::SCAN_ENTRY))?;
    Ok(result)
}

/// Writes what a lookup found to `out` (status 0), or its status.
fn found<const N: usize>(
    c: &mut Ctx<'_>,
    out: u32,
    result: Result<Option<[u8; N]>, StateError>,
) -> wasmtime::Result<u32> {
    match result {
        Ok(Some(bytes)) => write_bytes(c, out, &bytes).map(|()| status::OK),
        Ok(None) => Ok(status::NOT_FOUND),
        Err(e) => state_status(e),
    }
}

fn done(result: Result<(), StateError>) -> wasmtime::Result<u32> {
    match result {
        Ok(()) => Ok(status::OK),
        Err(e) => state_status(e),
    }
}

/// Reads an object ID; the zero ID names the calling contract's default object.
fn read_id(caller: &mut Ctx<'_>, ptr: u32) -> wasmtime::Result<ObjectIdBytes> {
    let id: ObjectIdBytes = read_array(caller, ptr)?;
    Ok(if id == [0; 32] {
        default_object_id(&caller.data().call.contract)
    } else {
        id
    })
}

/// Adds the `govm` host module to the linker: one line per host function of the module
/// interface.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    const M: &str = HOST_MODULE;
    linker.func_wrap(M, host_fn::SENDER, sender)?;
    linker.func_wrap(M, host_fn::CONTRACT_ADDRESS, contract_address)?;
    linker.func_wrap(M, host_fn::BLOCK_HEIGHT, block_height)?;
    linker.func_wrap(M, host_fn::BLOCK_TIME, block_time)?;
    linker.func_wrap(M, host_fn::OBJECT_CREATE, object_create)?;
    linker.func_wrap(M, host_fn::OBJECT_GET, object_get)?;
    linker.func_wrap(M, host_fn::OBJECT_WITH_OWNER, object_with_owner)?;
    linker.func_wrap(M, host_fn::OBJECT_DELETE, object_delete)?;
    linker.func_wrap(M, host_fn::OBJECT_OWNER, object_owner)?;
    linker.func_wrap(M, host_fn::OBJECT_CONTRACT, object_contract)?;
    linker.func_wrap(M, host_fn::OBJECT_SET_OWNER, object_set_owner)?;
    linker.func_wrap(M, host_fn::FIELD_GET, field_get)?;
    linker.func_wrap(M, host_fn::FIELD_SET, field_set)?;
    linker.func_wrap(M, host_fn::FIELD_DELETE, field_delete)?;
    linker.func_wrap(M, host_fn::EMIT_EVENT, emit_event)?;
    linker.func_wrap(M, host_fn::BALANCE, balance)?;
    linker.func_wrap(M, host_fn::TRANSFER, transfer)?;
    linker.func_wrap(M, host_fn::VALUE, value)?;
    linker.func_wrap(M, host_fn::CALL, call)?;
    linker.func_wrap(M, host_fn::SHA256, sha256)?;
    linker.func_wrap(M, host_fn::KECCAK256, keccak256)?;
    linker.func_wrap(M, host_fn::ED25519_VERIFY, ed25519_verify)?;
    linker.func_wrap(M, host_fn::SECP256K1_VERIFY, secp256k1_verify)?;
    linker.func_wrap(M, host_fn::SECP256K1_RECOVER, secp256k1_recover)?;
    linker.func_wrap(M, host_fn::READ_RETURN, read_return)?;
    Ok(())
}

/// `sender(out)`: writes the 20-byte caller address.
fn sender(mut c: Ctx<'_>, out: u32) -> wasmtime::Result<()> {
    enter(&mut c, host_fn::SENDER, gas::HOST_CALL)?;
    let a = c.data().call.sender;
    write_bytes(&mut c, out, &a)
}

/// `contract_address(out)`: writes the running contract's address.
fn contract_address(mut c: Ctx<'_>, out: u32) -> wasmtime::Result<()> {
    enter(&mut c, host_fn::CONTRACT_ADDRESS, gas::HOST_CALL)?;
    let a = c.data().call.contract;
    write_bytes(&mut c, out, &a)
}

/// `block_height() -> i64`: the block height.
fn block_height(mut c: Ctx<'_>) -> wasmtime::Result<u64> {
    enter(&mut c, host_fn::BLOCK_HEIGHT, gas::HOST_CALL)?;
    Ok(c.data().call.block_height)
}

/// `block_time() -> i64`: the block time, Unix seconds.
fn block_time(mut c: Ctx<'_>) -> wasmtime::Result<i64> {
    enter(&mut c, host_fn::BLOCK_TIME, gas::HOST_CALL)?;
    Ok(c.data().call.block_time)
}

/// `object_create(out_id) -> i32`: creates an object of the calling contract, owned by the
/// contract, and writes its ID.
fn object_create(mut c: Ctx<'_>, out: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_CREATE,
        gas::HOST_CALL + gas::OBJECT_CREATE,
    )?;
    let contract = c.data().call.contract;
    match c.data_mut().tx_mut()?.create_object(&contract, &contract) {
        Ok(id) => write_bytes(&mut c, out, &id).map(|()| status::OK),
        Err(e) => state_status(e),
    }
}

/// `object_get(id, out_id) -> i32`: writes the resolved ID if the object exists.
fn object_get(mut c: Ctx<'_>, id: u32, out: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_GET,
        gas::HOST_CALL + gas::OBJECT_READ,
    )?;
    let id = read_id(&mut c, id)?;
    let exists = c.data().tx()?.object(&id).map(|m| m.map(|_| id));
    found(&mut c, out, exists)
}

/// `object_with_owner(owner, out_id) -> i32`: the calling contract's earliest created object
/// owned by `owner`.
fn object_with_owner(mut c: Ctx<'_>, owner: u32, out: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_WITH_OWNER,
        gas::HOST_CALL + gas::OBJECT_WITH_OWNER,
    )?;
    let owner: AddressBytes = read_array(&mut c, owner)?;
    let contract = c.data().call.contract;
    let id = scanning(&mut c, |tx| tx.object_with_owner(&contract, &owner))?;
    found(&mut c, out, id)
}

/// `object_delete(id) -> i32`: deletes the object and its fields (never the default object).
fn object_delete(mut c: Ctx<'_>, id: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_DELETE,
        gas::HOST_CALL + gas::OBJECT_WRITE,
    )?;
    let id = read_id(&mut c, id)?;
    let contract = c.data().call.contract;
    if id == default_object_id(&contract) {
        return Ok(status::INVALID_INPUT);
    }
    done(scanning(&mut c, |tx| tx.delete_object(&contract, &id))?)
}

/// `object_owner(id, out_addr) -> i32`: writes the owner.
fn object_owner(mut c: Ctx<'_>, id: u32, out: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_OWNER,
        gas::HOST_CALL + gas::OBJECT_READ,
    )?;
    let id = read_id(&mut c, id)?;
    let owner = c.data().tx()?.object(&id).map(|m| m.map(|m| m.owner));
    found(&mut c, out, owner)
}

/// `object_contract(id, out_addr) -> i32`: writes the creating contract.
fn object_contract(mut c: Ctx<'_>, id: u32, out: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_CONTRACT,
        gas::HOST_CALL + gas::OBJECT_READ,
    )?;
    let id = read_id(&mut c, id)?;
    let contract = c.data().tx()?.object(&id).map(|m| m.map(|m| m.contract));
    found(&mut c, out, contract)
}

/// `object_set_owner(id, owner) -> i32`: changes the owner (only the creating contract).
fn object_set_owner(mut c: Ctx<'_>, id: u32, owner: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::OBJECT_SET_OWNER,
        gas::HOST_CALL + gas::OBJECT_WRITE,
    )?;
    let id = read_id(&mut c, id)?;
    let owner: AddressBytes = read_array(&mut c, owner)?;
    let contract = c.data().call.contract;
    done(c.data_mut().tx_mut()?.set_owner(&contract, &id, &owner))
}

/// `field_get(id, key, key_len) -> i64`: the value's length, the value waiting in the return
/// buffer; or minus a status.
fn field_get(mut c: Ctx<'_>, id: u32, key: u32, key_len: u32) -> wasmtime::Result<i64> {
    enter(&mut c, host_fn::FIELD_GET, gas::HOST_CALL + gas::FIELD_READ)?;
    let id = read_id(&mut c, id)?;
    let key = match read_str(&mut c, key, key_len)? {
        Ok(k) => k,
        Err(s) => return Ok(-i64::from(s)),
    };
    match c.data().tx()?.field(&id, &key) {
        Ok(Some(value)) => {
            charge(&mut c, value.len() as u64 * gas::PER_BYTE)?;
            let len = value.len() as i64;
            c.data_mut().ret = value;
            Ok(len)
        }
        Ok(None) => Ok(-i64::from(status::NOT_FOUND)),
        Err(e) => state_status(e).map(|s| -i64::from(s)),
    }
}

/// `field_set(id, key, key_len, val, val_len) -> i32`: stores a tagged value.
fn field_set(
    mut c: Ctx<'_>,
    id: u32,
    key: u32,
    key_len: u32,
    val: u32,
    val_len: u32,
) -> wasmtime::Result<u32> {
    let bytes = u64::from(key_len) + u64::from(val_len);
    enter(
        &mut c,
        host_fn::FIELD_SET,
        gas::HOST_CALL + gas::FIELD_WRITE + bytes * gas::FIELD_WRITE_PER_BYTE,
    )?;
    let id = read_id(&mut c, id)?;
    let key = match read_str(&mut c, key, key_len)? {
        Ok(k) => k,
        Err(s) => return Ok(s),
    };
    let value = read_bytes(&mut c, val, val_len)?;
    // Only well-formed tagged values are stored, so every reader can decode them.
    if c.data().abi.codec().decode_tagged(&value).is_err() {
        return Ok(status::INVALID_INPUT);
    }
    let contract = c.data().call.contract;
    done(
        c.data_mut()
            .tx_mut()?
            .set_field(&contract, &id, &key, &value),
    )
}

/// `field_delete(id, key, key_len) -> i32`: removes a field (absent is fine).
fn field_delete(mut c: Ctx<'_>, id: u32, key: u32, key_len: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::FIELD_DELETE,
        gas::HOST_CALL + gas::FIELD_WRITE,
    )?;
    let id = read_id(&mut c, id)?;
    let key = match read_str(&mut c, key, key_len)? {
        Ok(k) => k,
        Err(s) => return Ok(s),
    };
    let contract = c.data().call.contract;
    done(c.data_mut().tx_mut()?.delete_field(&contract, &id, &key))
}

/// `emit_event(ptr, len) -> i32`: records an event (its name, then its tagged fields).
fn emit_event(mut c: Ctx<'_>, ptr: u32, len: u32) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::EMIT_EVENT,
        gas::HOST_CALL + gas::EVENT + u64::from(len) * gas::EVENT_PER_BYTE,
    )?;
    let bytes = read_bytes(&mut c, ptr, len)?;
    let contract = c.data().call.contract;
    let Some((emitted, data)) = split_event(&c.data().abi, contract, &bytes) else {
        return Ok(status::INVALID_INPUT);
    };
    // What the call keeps for its caller is bounded, whatever fuel it has.
    let size = c.data().events_size.saturating_add(emitted.decoded_size());
    if size > crate::request::MAX_CALL_EVENTS_SIZE {
        return Ok(status::LIMIT_EXCEEDED);
    }
    let event = Event {
        contract,
        name: emitted.name.clone(),
        data,
    };
    match c.data_mut().tx_mut()?.emit(event) {
        Ok(()) => {
            // Decoded once, here: the call's outcome carries the fields to whoever reports
            // the event.
            c.data_mut().events.push(emitted);
            c.data_mut().events_size = size;
            Ok(status::OK)
        }
        Err(e) => state_status(e),
    }
}

/// `balance(addr) -> i64`: the native balance of `addr`.
fn balance(mut c: Ctx<'_>, addr: u32) -> wasmtime::Result<i64> {
    enter(&mut c, host_fn::BALANCE, gas::HOST_CALL + gas::BALANCE_READ)?;
    let addr: AddressBytes = read_array(&mut c, addr)?;
    match c.data().tx()?.balance(&addr) {
        Ok(b) => Ok(b as i64),
        Err(e) => Err(trap(HostTrap::State(e.to_string()))),
    }
}

/// `transfer(to, amount) -> i32`: pays `amount` of the calling contract's balance to `to`.
fn transfer(mut c: Ctx<'_>, to: u32, amount: u64) -> wasmtime::Result<u32> {
    enter(&mut c, host_fn::TRANSFER, gas::HOST_CALL + gas::TRANSFER)?;
    let to: AddressBytes = read_array(&mut c, to)?;
    let from = c.data().call.contract;
    done(c.data_mut().tx_mut()?.transfer(&from, &to, amount))
}

/// `value() -> i64`: the native value the call carries.
fn value(mut c: Ctx<'_>) -> wasmtime::Result<i64> {
    enter(&mut c, host_fn::VALUE, gas::HOST_CALL)?;
    Ok(c.data().call.value as i64)
}

/// `read_return(out)`: copies the return buffer to `out` and clears it.
fn read_return(mut c: Ctx<'_>, out: u32) -> wasmtime::Result<()> {
    enter(&mut c, host_fn::READ_RETURN, gas::HOST_CALL)?;
    let data = std::mem::take(&mut c.data_mut().ret);
    write_bytes(&mut c, out, &data)
}

/// `sha256(data, data_len, out)`: writes the SHA-256 digest of `data`.
fn sha256(c: Ctx<'_>, data: u32, len: u32, out: u32) -> wasmtime::Result<()> {
    let price = (gas::HASH, gas::HASH_PER_BYTE);
    hash::<sha2::Sha256>(c, host_fn::SHA256, price, data, len, out)
}

/// `keccak256(data, data_len, out)`: writes the Keccak-256 digest (Ethereum's) of `data`.
fn keccak256(c: Ctx<'_>, data: u32, len: u32, out: u32) -> wasmtime::Result<()> {
    let price = (gas::KECCAK256, gas::KECCAK256_PER_BYTE);
    hash::<sha3::Keccak256>(c, host_fn::KECCAK256, price, data, len, out)
}

/// `sha256` and `keccak256`: `(data, data_len, out)` writes the 32-byte digest of `data`,
/// charged `price` (flat, per byte) first.
fn hash<D: sha2::Digest>(
    mut c: Ctx<'_>,
    name: &str,
    (flat, per_byte): (u64, u64),
    data: u32,
    len: u32,
    out: u32,
) -> wasmtime::Result<()> {
    let cost = flat.saturating_add(u64::from(len) * per_byte);
    enter(&mut c, name, gas::HOST_CALL.saturating_add(cost))?;
    let bytes = read_bytes(&mut c, data, len)?;
    write_bytes(&mut c, out, &D::digest(&bytes))
}

/// `ed25519_verify(pub, msg, msg_len, sig) -> i32`: 1 when the 64-byte `sig` is a valid
/// signature of `msg` by the 32-byte key `pub` (RFC 8032, checked strictly: no small-order key
/// or R, canonical S), 0 otherwise, malformed keys and signatures included.
fn ed25519_verify(
    mut c: Ctx<'_>,
    public: u32,
    msg: u32,
    msg_len: u32,
    sig: u32,
) -> wasmtime::Result<u32> {
    let cost =
        gas::ED25519_VERIFY.saturating_add(u64::from(msg_len) * gas::ED25519_VERIFY_PER_BYTE);
    enter(
        &mut c,
        host_fn::ED25519_VERIFY,
        gas::HOST_CALL.saturating_add(cost),
    )?;
    let public = read_array::<32>(&mut c, public)?;
    let message = read_bytes(&mut c, msg, msg_len)?;
    let signature = ed25519_dalek::Signature::from_bytes(&read_array::<64>(&mut c, sig)?);
    let valid = ed25519_dalek::VerifyingKey::from_bytes(&public)
        .is_ok_and(|key| key.verify_strict(&message, &signature).is_ok());
    Ok(u32::from(valid))
}

/// `secp256k1_verify(digest, sig, pub, pub_len) -> i32`: 1 when the 64 bytes `r ‖ s` at
/// `sig` are a valid ECDSA signature of the 32-byte `digest` by the SEC1 key at `pub` (33
/// bytes compressed or 65 uncompressed), with a low S as Bitcoin and Ethereum require; 0
/// otherwise, malformed keys and signatures included.
fn secp256k1_verify(
    mut c: Ctx<'_>,
    digest: u32,
    sig: u32,
    public: u32,
    public_len: u32,
) -> wasmtime::Result<u32> {
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    enter(
        &mut c,
        host_fn::SECP256K1_VERIFY,
        gas::HOST_CALL.saturating_add(gas::SECP256K1_VERIFY),
    )?;
    let digest = read_array::<32>(&mut c, digest)?;
    let sig = read_array::<64>(&mut c, sig)?;
    let public = read_bytes(&mut c, public, public_len)?;
    let valid = k256::ecdsa::VerifyingKey::from_sec1_bytes(&public)
        .ok()
        .zip(k256::ecdsa::Signature::from_slice(&sig).ok())
        .is_some_and(|(key, sig)| key.verify_prehash(&digest, &sig).is_ok());
    Ok(u32::from(valid))
}

/// `secp256k1_recover(digest, sig, recovery_id, out) -> i32`: the key whose low-S ECDSA
/// signature `r ‖ s` of `digest` is at `sig`, with recovery id 0 to 3, written to `out` as 65
/// bytes (SEC1 uncompressed); status 0, or 3 (invalid input) when no key recovers.
fn secp256k1_recover(
    mut c: Ctx<'_>,
    digest: u32,
    sig: u32,
    recovery_id: u32,
    out: u32,
) -> wasmtime::Result<u32> {
    enter(
        &mut c,
        host_fn::SECP256K1_RECOVER,
        gas::HOST_CALL.saturating_add(gas::SECP256K1_RECOVER),
    )?;
    let digest = read_array::<32>(&mut c, digest)?;
    let sig = read_array::<64>(&mut c, sig)?;
    let id = u8::try_from(recovery_id)
        .ok()
        .and_then(k256::ecdsa::RecoveryId::from_byte);
    let recovered = id
        .zip(k256::ecdsa::Signature::from_slice(&sig).ok())
        .and_then(|(id, sig)| {
            k256::ecdsa::VerifyingKey::recover_from_prehash(&digest, &sig, id).ok()
        });
    match recovered {
        Some(key) => {
            write_bytes(&mut c, out, key.to_encoded_point(false).as_bytes())?;
            Ok(status::OK)
        }
        None => Ok(status::INVALID_INPUT),
    }
}

/// Most nested cross-contract calls: the outermost call is depth 0.
pub const MAX_CALL_DEPTH: usize = 8;

/// `call(addr, fn, fn_len, args, args_len) -> status << 32 | len`: runs an entry point of
/// another contract in a fresh instance, in a savepoint of this transaction, with this
/// contract as the sender and the fuel this call has left. The callee's results (status 0) or
/// its error message (status 6) wait in the return buffer.
fn call(
    mut c: Ctx<'_>,
    addr: u32,
    f: u32,
    f_len: u32,
    args: u32,
    args_len: u32,
) -> wasmtime::Result<u64> {
    enter(&mut c, host_fn::CALL, gas::HOST_CALL + gas::CALL)?;
    let callee: AddressBytes = read_array(&mut c, addr)?;
    let function = match read_str(&mut c, f, f_len)? {
        Ok(name) => name,
        Err(s) => return Ok(u64::from(s) << 32),
    };
    let args = read_bytes(&mut c, args, args_len)?;
    let me = c.data().call.contract;
    let mut frame = c.data().frame.clone();
    let refusal = if frame.depth + 1 > MAX_CALL_DEPTH {
        Some(format!("call depth limit of {MAX_CALL_DEPTH} exceeded"))
    } else if callee == me || frame.callers.contains(&callee) {
        Some(format!(
            "re-entering contract {} is not allowed",
            Address(callee)
        ))
    } else {
        None
    };
    if let Some(message) = refusal {
        return Ok(give(&mut c, status::CALL_FAILED, message.into_bytes()));
    }
    frame.depth += 1;
    frame.callers.push(me);
    frame.events_held = c.data().events_size;
    let fuel = c.get_fuel()?;
    let mut tx = c
        .data_mut()
        .tx
        .take()
        .ok_or_else(|| trap(HostTrap::State("no transaction".into())))?;
    let savepoint = tx.savepoint();
    let invocation = Invocation {
        args: &args,
        sender: Address(me),
        block_height: c.data().call.block_height,
        block_time: c.data().call.block_time,
        fuel_limit: fuel,
        value: 0,
    };
    let Some(nested) = c.data().nested.clone() else {
        c.data_mut().tx = Some(tx);
        return Err(trap(HostTrap::State("no runtime".into())));
    };
    let (mut tx, outcome, preparation) =
        nested.call_nested(tx, Address(callee), &function, &invocation, frame);
    if !preparation.is_zero() {
        // Preparing the callee's module (after a restart) is not this contract's time.
        if let Some(deadline) = c.data().frame.deadline.map(|d| d + preparation) {
            c.data_mut().frame.deadline = Some(deadline);
            c.as_context_mut()
                .set_epoch_deadline(crate::env::ticks_until(deadline));
        }
    }
    let CallOutcome {
        result,
        gas_used,
        debug_output,
        events,
    } = outcome;
    let failure = result.as_ref().err().cloned();
    let (code, data) = match result {
        Ok(results) => (status::OK, results),
        Err(e) => {
            tx.rollback_to(savepoint);
            (status::CALL_FAILED, e.to_string().into_bytes())
        }
    };
    // The transaction goes back before anything else can fail.
    c.data_mut().tx = Some(tx);
    c.set_fuel(fuel.saturating_sub(gas_used))?;
    // A failing store is not the callee's failure to hand back: the whole call stops. Nor is
    // a deadline: wall-clock time differs between nodes, so it must never become a result a
    // contract can act on.
    match failure {
        Some(e @ (crate::Error::State(_) | crate::Error::Internal(_))) => {
            return Err(trap(HostTrap::State(e.to_string())));
        }
        Some(crate::Error::DeadlineExceeded { .. }) => return Err(trap(HostTrap::Deadline)),
        _ => {}
    }
    c.data_mut().wasi.append(debug_output.as_bytes());
    // A failed callee has none: its events were rolled back with its writes. A callee's
    // were held, when it emitted them, to what this call kept already: the sum stays within
    // the bound.
    let size: u64 = events.iter().map(EmittedEvent::decoded_size).sum();
    let data_mut = c.data_mut();
    data_mut.events_size = data_mut.events_size.saturating_add(size);
    data_mut.events.extend(events);
    Ok(give(&mut c, code, data))
}

/// Leaves `data` in the return buffer and packs the status and its length.
fn give(c: &mut Ctx<'_>, code: u32, data: Vec<u8>) -> u64 {
    let len = data.len() as u64;
    c.data_mut().ret = data;
    u64::from(code) << 32 | len
}

/// Splits the SDK's event encoding into the event, its fields decoded, and its encoded fields
/// (an event whose fields do not decode is refused).
fn split_event(
    abi: &govm_abi::ContractAbi,
    contract: AddressBytes,
    bytes: &[u8],
) -> Option<(EmittedEvent, Vec<u8>)> {
    let codec = abi.codec();
    let mut input = bytes;
    let govm_abi::Value::String(name) = codec.decode(&govm_abi::Type::String, &mut input).ok()?
    else {
        return None;
    };
    let fields = codec.decode_event_fields(input).ok()?;
    let emitted = EmittedEvent {
        contract: Address(contract),
        name,
        fields,
    };
    Some((emitted, input.to_vec()))
}
