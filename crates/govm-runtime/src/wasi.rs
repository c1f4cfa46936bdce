//! A deterministic `wasi_snapshot_preview1`: exactly the functions Go's wasip1 runtime imports,
//! with no files, environment, arguments or network. Clocks derive from the block time and
//! advance by a fixed step per reading; randomness is a sha256 stream seeded from the call.
//! Standard output and error are captured, up to a cap, as the call's debug output.

use govm_abi::{WASI_MODULE, wasi_fn};
use wasmtime::{Caller, Linker};

use crate::env::HostState;
use crate::gas;
use crate::memory::{charge, read_bytes, write_bytes};
use crate::trap::{HostTrap, trap};

type Ctx<'a> = Caller<'a, HostState>;

const ESUCCESS: u32 = 0;
const EBADF: u32 = 8;
const EINVAL: u32 = 28;

fn put_u32(c: &mut Ctx<'_>, ptr: u32, v: u32) -> wasmtime::Result<()> {
    write_bytes(c, ptr, &v.to_le_bytes())
}

fn is_stdio(fd: u32) -> bool {
    fd <= 2
}

pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    const M: &str = WASI_MODULE;
    // No arguments and no environment: both lists are empty.
    for (list, sizes) in [
        (wasi_fn::ARGS_GET, wasi_fn::ARGS_SIZES_GET),
        (wasi_fn::ENVIRON_GET, wasi_fn::ENVIRON_SIZES_GET),
    ] {
        linker.func_wrap(M, list, |mut c: Ctx<'_>, _a: u32, _b: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            Ok(ESUCCESS)
        })?;
        linker.func_wrap(M, sizes, |mut c: Ctx<'_>, count: u32, size: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            put_u32(&mut c, count, 0)?;
            put_u32(&mut c, size, 0)?;
            Ok(ESUCCESS)
        })?;
    }
    linker.func_wrap(
        M,
        wasi_fn::CLOCK_TIME_GET,
        |mut c: Ctx<'_>, id: u32, _precision: u64, out: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            if id > 3 {
                return Ok(EINVAL);
            }
            let now = c.data_mut().wasi.next_clock();
            write_bytes(&mut c, out, &now.to_le_bytes())?;
            Ok(ESUCCESS)
        },
    )?;
    linker.func_wrap(
        M,
        wasi_fn::RANDOM_GET,
        |mut c: Ctx<'_>, ptr: u32, len: u32| {
            let stream = u64::from(len).saturating_mul(gas::RANDOM_PER_BYTE);
            charge(
                &mut c,
                (gas::HOST_CALL + gas::RANDOM_GET).saturating_add(stream),
            )?;
            // Bounds-check (and charge) before allocating, so a bogus length cannot make the host
            // allocate more than the contract's own memory.
            let mut buf = read_bytes(&mut c, ptr, len)?;
            c.data_mut().wasi.fill_random(&mut buf);
            write_bytes(&mut c, ptr, &buf)?;
            Ok(ESUCCESS)
        },
    )?;
    linker.func_wrap(
        M,
        wasi_fn::FD_WRITE,
        |mut c: Ctx<'_>, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32| {
            charge(&mut c, gas::HOST_CALL + gas::FD_WRITE)?;
            if !is_stdio(fd) || fd == 0 {
                return Ok(EBADF);
            }
            // Each entry is a read of its own: charged with the table, before any is read.
            charge(&mut c, u64::from(iovs_len).saturating_mul(gas::IOVEC))?;
            // The iovec table is read (bounds-checked and charged) in one piece first.
            let size = iovs_len.checked_mul(8).ok_or_else(|| {
                trap(HostTrap::BadPointer {
                    ptr: iovs,
                    len: iovs_len,
                })
            })?;
            let table = read_bytes(&mut c, iovs, size)?;
            let mut total: u32 = 0;
            for entry in table.chunks_exact(8) {
                let ptr = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
                let len = u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]);
                let bytes = read_bytes(&mut c, ptr, len)?;
                c.data_mut().wasi.capture(fd, &bytes);
                total = total.saturating_add(len);
            }
            put_u32(&mut c, nwritten, total)?;
            Ok(ESUCCESS)
        },
    )?;
    linker.func_wrap(M, wasi_fn::FD_CLOSE, |mut c: Ctx<'_>, fd: u32| {
        charge(&mut c, gas::HOST_CALL)?;
        Ok(if is_stdio(fd) { ESUCCESS } else { EBADF })
    })?;
    linker.func_wrap(
        M,
        wasi_fn::FD_FDSTAT_GET,
        |mut c: Ctx<'_>, fd: u32, out: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            if !is_stdio(fd) {
                return Ok(EBADF);
            }
            // filetype character_device (2), no flags, rights fd_read|fd_write only.
            let mut stat = [0u8; 24];
            stat[0] = 2;
            stat[8..16].copy_from_slice(&(0x2u64 | 0x40).to_le_bytes());
            write_bytes(&mut c, out, &stat)?;
            Ok(ESUCCESS)
        },
    )?;
    linker.func_wrap(
        M,
        wasi_fn::FD_FDSTAT_SET_FLAGS,
        |mut c: Ctx<'_>, fd: u32, _flags: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            Ok(if is_stdio(fd) { ESUCCESS } else { EBADF })
        },
    )?;
    // No preopened directories.
    linker.func_wrap(
        M,
        wasi_fn::FD_PRESTAT_GET,
        |mut c: Ctx<'_>, _fd: u32, _out: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            Ok(EBADF)
        },
    )?;
    linker.func_wrap(
        M,
        wasi_fn::FD_PRESTAT_DIR_NAME,
        |mut c: Ctx<'_>, _fd: u32, _p: u32, _l: u32| {
            charge(&mut c, gas::HOST_CALL)?;
            Ok(EBADF)
        },
    )?;
    linker.func_wrap(M, wasi_fn::SCHED_YIELD, |mut c: Ctx<'_>| {
        charge(&mut c, gas::HOST_CALL)?;
        Ok(ESUCCESS)
    })?;
    // Sleeping: every clock subscription fires at once (time advances by the longest
    // timeout); descriptor subscriptions fail with EBADF.
    linker.func_wrap(
        M,
        wasi_fn::POLL_ONEOFF,
        |mut c: Ctx<'_>, subs: u32, events: u32, n: u32, nevents: u32| {
            charge(&mut c, gas::HOST_CALL + gas::POLL_ONEOFF)?;
            let size = n
                .checked_mul(48)
                .ok_or_else(|| trap(HostTrap::BadPointer { ptr: subs, len: n }))?;
            let subscriptions = read_bytes(&mut c, subs, size)?;
            let mut out = Vec::with_capacity(n as usize * 32);
            let mut advance = 0u64;
            for sub in subscriptions.chunks_exact(48) {
                let mut event = [0u8; 32];
                event[..8].copy_from_slice(&sub[..8]);
                let tag = sub[8];
                if tag == 0 {
                    let timeout = u64::from_le_bytes(sub[24..32].try_into().unwrap_or_default());
                    advance = advance.max(timeout);
                } else {
                    event[8..10].copy_from_slice(&(EBADF as u16).to_le_bytes());
                }
                event[10] = tag;
                out.extend_from_slice(&event);
            }
            let wasi = &mut c.data_mut().wasi;
            wasi.clock_ns = wasi.clock_ns.saturating_add(advance);
            write_bytes(&mut c, events, &out)?;
            put_u32(&mut c, nevents, n)?;
            Ok(ESUCCESS)
        },
    )?;
    linker.func_wrap(
        M,
        wasi_fn::PROC_EXIT,
        |_c: Ctx<'_>, code: u32| -> wasmtime::Result<()> { Err(trap(HostTrap::Exit(code as i32))) },
    )?;
    Ok(())
}
