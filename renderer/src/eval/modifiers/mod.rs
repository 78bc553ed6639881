//! Path modifiers: items that rewrite the paths above them in their group (trim paths, rounded
//! corners, offset path, pucker/bloat, zig-zag) or repeat them (repeater).

pub(crate) mod repeater;
pub(crate) mod reshape;
pub(crate) mod trim;
