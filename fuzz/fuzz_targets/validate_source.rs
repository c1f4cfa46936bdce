//! Validating arbitrary bytes never panics and, when it accepts, yields an ABI whose JSON
//! reads back and whose wrapper generates. Run with `cargo xtask fuzz validate_source`.
#![no_main]

use govm_validate::{Config, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    if let Ok(valid) = validate(source, &Config::default()) {
        let json = valid.abi.to_json();
        let back = govm_abi::ContractAbi::from_json(&json).expect("the ABI JSON reads back");
        assert_eq!(back, valid.abi);
        let _ = govm_sdk::generate_wrapper(&valid.abi);
    }
});
