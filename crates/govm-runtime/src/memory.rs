//! Access to a contract's memory and fuel from the host: every copy between the host and a
//! guest is bounds-checked and charged here, for the host functions, the WASI layer and the
//! call path alike. A bad pointer traps the call, never the host.

use wasmtime::{AsContext, AsContextMut, Memory};

use crate::env::HostState;
use crate::gas;
use crate::trap::{HostTrap, trap};

/// Takes `amount` fuel, failing with out-of-fuel (and no fuel left) when there is not enough.
pub(crate) fn charge(
    ctx: &mut impl AsContextMut<Data = HostState>,
    amount: u64,
) -> wasmtime::Result<()> {
    let mut ctx = ctx.as_context_mut();
    let fuel = ctx.get_fuel()?;
    if fuel < amount {
        ctx.set_fuel(0)?;
        return Err(trap(HostTrap::OutOfFuel));
    }
    ctx.set_fuel(fuel - amount)
}

fn memory(ctx: &impl AsContext<Data = HostState>) -> wasmtime::Result<Memory> {
    ctx.as_context()
        .data()
        .memory
        .ok_or_else(|| trap(HostTrap::Refused("the contract exports no memory")))
}

/// Copies `len` bytes out of the contract's memory, bounds-checked, without charging.
pub(crate) fn read(
    ctx: &impl AsContext<Data = HostState>,
    ptr: u32,
    len: u32,
) -> wasmtime::Result<Vec<u8>> {
    let start = ptr as usize;
    memory(ctx)?
        .data(ctx)
        .get(start..start + len as usize)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| trap(HostTrap::BadPointer { ptr, len }))
}

/// Copies bytes into the contract's memory, bounds-checked, without charging.
pub(crate) fn write(
    ctx: &mut impl AsContextMut<Data = HostState>,
    ptr: u32,
    bytes: &[u8],
) -> wasmtime::Result<()> {
    let mem = memory(ctx)?;
    let start = ptr as usize;
    let len = bytes.len();
    mem.data_mut(ctx)
        .get_mut(start..start + len)
        .ok_or_else(|| {
            trap(HostTrap::BadPointer {
                ptr,
                len: u32::try_from(len).unwrap_or(u32::MAX),
            })
        })?
        .copy_from_slice(bytes);
    Ok(())
}

/// Copies `len` bytes out of the contract's memory, charging per byte first.
pub(crate) fn read_bytes(
    ctx: &mut impl AsContextMut<Data = HostState>,
    ptr: u32,
    len: u32,
) -> wasmtime::Result<Vec<u8>> {
    charge(ctx, u64::from(len) * gas::PER_BYTE)?;
    read(ctx, ptr, len)
}

/// Reads a fixed-size value such as an address or an ID (charged per byte).
pub(crate) fn read_array<const N: usize>(
    ctx: &mut impl AsContextMut<Data = HostState>,
    ptr: u32,
) -> wasmtime::Result<[u8; N]> {
    let bytes = read_bytes(ctx, ptr, N as u32)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Copies bytes into the contract's memory, charging per byte first.
pub(crate) fn write_bytes(
    ctx: &mut impl AsContextMut<Data = HostState>,
    ptr: u32,
    bytes: &[u8],
) -> wasmtime::Result<()> {
    charge(ctx, bytes.len() as u64 * gas::PER_BYTE)?;
    write(ctx, ptr, bytes)
}
