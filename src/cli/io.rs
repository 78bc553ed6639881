//! Input and output files of the commands, where `-` means stdin or stdout.

use std::io::{Read as _, Write as _};
use std::path::Path;

use super::CliResult;
use crate::pipeline::Limits;

/// Reads a file, or stdin for `-`, refusing more than the input limit.
pub(super) fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let cap = u64::try_from(limits.max_input_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(cap).read_to_end(&mut data))
    };
    result.map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
    if data.len() > limits.max_input_bytes {
        return Err(format!(
            "`{}` is larger than the input limit of {} bytes",
            path.display(),
            limits.max_input_bytes
        ));
    }
    Ok(data)
}

/// Writes `bytes` to a file, or to stdout for `-`.
pub(super) fn write_output(path: &Path, bytes: &[u8]) -> CliResult {
    let result = if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|()| out.flush())
    } else {
        std::fs::write(path, bytes)
    };
    result.map_err(|err| format!("cannot write `{}`: {err}", path.display()).into())
}
